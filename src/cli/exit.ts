import { formatInputError, type InputError } from '../lib/input-error.js';

/** Exit codes of the command contract: 0 when the command ran (whatever the disposition), 2 for bad input. */
export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 2;
/** `podnet lab check`: the real kernel disagreed with the model on at least one flow. */
export const EXIT_DISAGREE = 1;
/** The command cannot run on this machine (not root, a tool or kernel feature missing). */
export const EXIT_UNAVAILABLE = 3;

/** Thrown inside command actions to abort with a user-facing message; main maps it to exit 2. */
export class UsageError extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

/** Thrown when the machine cannot do what was asked (e.g. the lab without root); main maps it to exit 3. */
export class UnavailableError extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

export function inputErrorToUsage(e: InputError): UsageError {
  return new UsageError(formatInputError(e));
}
