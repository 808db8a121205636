import { formatInputError, type InputError } from '../lib/input-error.js';

/** Exit codes of the command contract: 0 when the command ran (whatever the disposition), 2 for bad input. */
export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 2;

/** Thrown inside command actions to abort with a user-facing message; main maps it to exit 2. */
export class UsageError extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

export function inputErrorToUsage(e: InputError): UsageError {
  return new UsageError(formatInputError(e));
}
