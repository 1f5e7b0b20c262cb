// The exit codes rescore-orders uses, which the workload's Batch retry strategy matches on.

/** The shard succeeded (or an earlier attempt of the same job had finished it). */
export const SUCCESS_EXIT_CODE = 0;

/** Bad data or a bad environment (a missing or malformed variable): retrying cannot help. */
export const PERMANENT_FAILURE_EXIT_CODE = 1;

/** EX_TEMPFAIL (sysexits.h): the database was unreachable or the transaction hit a transient error; retry. */
export const TEMPORARY_FAILURE_EXIT_CODE = 75;
