// Errors from Status bodies, as client-go's k8s.io/apimachinery/pkg/api/errors maps them
// (FromObject, NewGenericServerResponse, IsNotFound & co. with their code fallback).
import { describe, expect, test } from 'vitest';
import {
  ApiError,
  ExpiredError,
  errorFromResponse,
  isAlreadyExists,
  isBadRequest,
  isConflict,
  isExpired,
  isForbidden,
  isInvalid,
  isNotFound,
  isUnauthorized,
} from '../../src/runtime/client/index.js';
import { errors, StatusError } from '../../src/runtime/errors.js';

const gr = { group: 'demo.example.com', resource: 'widgets' };
const wire = (e: StatusError) => JSON.stringify(e.toStatus());

describe('errorFromResponse with a Status body', () => {
  test('NotFound keeps message, details and the Status itself', () => {
    const e = errorFromResponse(404, wire(errors.notFound(gr, 'w1')));
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toBeInstanceOf(StatusError);
    expect(e.message).toBe('widgets.demo.example.com "w1" not found');
    expect(e.details).toEqual({ name: 'w1', group: 'demo.example.com', kind: 'widgets' });
    expect(e.status.reason).toBe('NotFound');
    expect([isNotFound(e), isConflict(e), isAlreadyExists(e)]).toEqual([true, false, false]);
  });

  test('Conflict and AlreadyExists are told apart although both are 409', () => {
    const conflict = errorFromResponse(409, wire(errors.modified(gr, 'w1')));
    const exists = errorFromResponse(409, wire(errors.alreadyExists(gr, 'w1')));
    expect([isConflict(conflict), isAlreadyExists(conflict)]).toEqual([true, false]);
    expect([isConflict(exists), isAlreadyExists(exists)]).toEqual([false, true]);
  });

  test('Invalid exposes its causes', () => {
    const e = errorFromResponse(
      422,
      wire(errors.invalid('demo.example.com', 'Widget', 'w1', [{ type: 'FieldValueInvalid', field: 'spec.size', value: -1, detail: 'should be greater than or equal to 0' }])),
    );
    expect(isInvalid(e)).toBe(true);
    expect(e.causes).toEqual([{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: should be greater than or equal to 0', field: 'spec.size' }]);
  });

  test('410 Expired is an ExpiredError', () => {
    const e = errorFromResponse(410, wire(errors.expired('The provided continue parameter is too old')));
    expect(e).toBeInstanceOf(ExpiredError);
    expect(isExpired(e)).toBe(true);
  });

  test('a reason this client does not know falls back to the code (reasonAndCodeForError)', () => {
    const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'gone fishing', reason: 'SomethingNew', code: 404 });
    const e = errorFromResponse(404, body);
    expect(isNotFound(e)).toBe(true);
    expect(e.serverReason).toBe('SomethingNew');
    expect(e.message).toBe('gone fishing');
  });

  test('Forbidden and Unauthorized', () => {
    expect(isForbidden(errorFromResponse(403, wire(errors.forbidden('no'))))).toBe(true);
    expect(isUnauthorized(errorFromResponse(401, wire(errors.unauthorized())))).toBe(true);
  });
});

describe('errorFromResponse with a body that is not a Status', () => {
  test('empty 404 gets client-go generic message', () => {
    const e = errorFromResponse(404, '');
    expect(isNotFound(e)).toBe(true);
    expect(e.message).toBe('the server could not find the requested resource');
    expect(e.causes).toEqual([]);
  });

  test('an HTML 502 from a proxy becomes InternalError with the body as a cause', () => {
    const e = errorFromResponse(502, '<html>Bad Gateway</html>');
    expect(e.reason).toBe('InternalError');
    expect(e.code).toBe(502);
    expect(e.causes).toEqual([{ reason: 'UnexpectedServerResponse', message: '<html>Bad Gateway</html>' }]);
  });

  test('plain-text 400 is a BadRequest; 410 without Status is still expired (Gone)', () => {
    expect(isBadRequest(errorFromResponse(400, 'nope'))).toBe(true);
    const gone = errorFromResponse(410, '');
    expect(gone).toBeInstanceOf(ExpiredError);
    expect(gone.reason).toBe('Gone');
  });
});

describe('predicates', () => {
  test('work on server-side StatusErrors too, and are false for anything else', () => {
    expect(isNotFound(errors.notFound(gr, 'x'))).toBe(true);
    expect(isNotFound(new Error('not found'))).toBe(false);
    expect(isNotFound(undefined)).toBe(false);
    expect(isExpired({ code: 410 })).toBe(false);
  });
});
