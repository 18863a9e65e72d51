// The data dir and the cert dir hold private keys, the admin kubeconfig and the database, so they
// are made 0700, and an existing one that others can enter is reported as etcd reports it
// (client/pkg/fileutil CheckDirPermission, warned at start by etcdserver): it is the operator's
// directory, so it is not narrowed behind their back.
import { mkdir, stat } from 'node:fs/promises';

export const privateDirMode = 0o700;
export const privateFileMode = 0o600;

/** Creates `dir` (0700) when absent; returns a warning when it exists wider than 0700. */
export async function preparePrivateDir(dir: string): Promise<string | undefined> {
  await mkdir(dir, { recursive: true, mode: privateDirMode });
  const mode = (await stat(dir)).mode & 0o777;
  if ((mode & ~privateDirMode) === 0) return undefined;
  return (
    `check file permission: directory "${dir}" exist, but the permission is "${modeString(mode)}". ` +
    `The recommended permission is "${modeString(privateDirMode)}" to prevent possible unprivileged access to the data`
  );
}

/** `ls -l` style, as Go's os.FileMode prints a directory: `drwxr-xr-x`. */
function modeString(mode: number): string {
  const bits = 'rwxrwxrwx';
  let out = 'd';
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? bits[i] : '-';
  return out;
}
