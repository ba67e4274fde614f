import type { Static, TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { problems, type ValidationError } from '../../domain/problems';
import type { ApiContext, ApiMiddleware } from '../context';

const ajv = addFormats(new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: false }), ['date-time', 'uri', 'uuid']);

/** RFC 6901 §3: a member name as one JSON Pointer reference token. */
const pointerToken = (name: unknown) => String(name).replaceAll('~', '~0').replaceAll('/', '~1');

function toValidationError(error: ErrorObject): ValidationError {
  if (error.keyword === 'required') {
    return { pointer: `${error.instancePath}/${pointerToken(error.params.missingProperty)}`, message: 'is required' };
  }
  if (error.keyword === 'additionalProperties') {
    // Profile §6: closed objects refuse unknown members; point at the member, not its object.
    return {
      pointer: `${error.instancePath}/${pointerToken(error.params.additionalProperty)}`,
      message: 'is not a member of this object (unknown members are refused; use "extensions")',
    };
  }
  return { pointer: error.instancePath, message: error.message ?? 'is invalid' };
}

/** A checker of `schema`: returns the value typed, or throws 400 invalid-request with every violation. */
export function schemaCheck<S extends TSchema>(schema: S): (value: unknown) => Static<S> {
  const validate = ajv.compile<Static<S>>(schema);
  return (value) => {
    if (!validate(value)) {
      const errors = (validate.errors ?? []).map(toValidationError);
      throw problems.invalidRequest('The request body does not match the schema', dedupe(errors));
    }
    return value;
  };
}

/** Validates the JSON body against the endpoint's schema, once, at the edge; reports every violation. */
export function validateBody<S extends TSchema>(schema: S): ApiMiddleware {
  const check = schemaCheck(schema);
  return async (ctx, next) => {
    ctx.state.body = check(ctx.request.body);
    await next();
  };
}

/** The validated body of a route whose chain includes validateBody(schema). */
export function validatedBody<S extends TSchema>(ctx: ApiContext, _schema: S): Static<S> {
  return ctx.state.body as Static<S>;
}

function dedupe(errors: ValidationError[]): ValidationError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.pointer}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
