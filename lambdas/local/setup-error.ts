/**
 * The embedded hub cannot start with what it was given (its data dir, its admin token): the
 * message says what is wrong, where and what to do. `radial hub` exits 2 on it, as on a bad
 * option, rather than 1, which says the hub itself failed.
 */
export class HubSetupError extends Error {}
