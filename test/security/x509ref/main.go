// x509ref: the verdict of Go's crypto/x509 on client certificate chains, as k8s.io/apiserver
// asks for it (pkg/authentication/request/x509/x509.go: DefaultVerifyOptions with
// KeyUsages ClientAuth, Roots the CA pool, Intermediates the rest of the presented chain), and
// the subject CN as Go reads it (crypto/x509/pkix Name.FillFromRDNSequence). Test reference
// only; standard library only, run with `go run`.
//
// stdin: a JSON array of {"roots": PEM, "chain": PEM (leaf first)}; stdout: a JSON array of
// {"ok": bool, "error": string, "commonName": string}, one per input, in order.
package main

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"time"
)

type input struct {
	Roots string `json:"roots"`
	Chain string `json:"chain"`
}

type verdict struct {
	OK         bool   `json:"ok"`
	Error      string `json:"error,omitempty"`
	CommonName string `json:"commonName"`
	Millis     int64  `json:"millis"`
}

func certificates(data string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := []byte(data)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return out, nil
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
}

func verify(in input) verdict {
	roots, err := certificates(in.Roots)
	if err != nil {
		return verdict{Error: "roots: " + err.Error()}
	}
	chain, err := certificates(in.Chain)
	if err != nil || len(chain) == 0 {
		return verdict{Error: fmt.Sprintf("chain: %v", err)}
	}
	opts := x509.VerifyOptions{
		Roots:         x509.NewCertPool(),
		Intermediates: x509.NewCertPool(),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	for _, r := range roots {
		opts.Roots.AddCert(r)
	}
	for _, c := range chain[1:] {
		opts.Intermediates.AddCert(c)
	}
	start := time.Now()
	_, err = chain[0].Verify(opts)
	v := verdict{OK: err == nil, CommonName: chain[0].Subject.CommonName, Millis: time.Since(start).Milliseconds()}
	if err != nil {
		v.Error = err.Error()
	}
	return v
}

func main() {
	var inputs []input
	if err := json.NewDecoder(os.Stdin).Decode(&inputs); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := make([]verdict, len(inputs))
	for i, in := range inputs {
		out[i] = verify(in)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
