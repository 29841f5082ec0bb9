/**
 * The text patterns of ids and pop sequence numbers, free of zod so the browser client checks pushed pops
 * and its stored ledger with the very patterns the API validates with (shared/schemas/ids.ts builds the
 * schemas from them).
 *
 * Ids appear inside Table storage keys, joined with "|", so they may not contain "|", "/", "\", "#", "?"
 * or control characters.
 */
const idSource = "[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}";
export const idPattern = new RegExp(`^${idSource}$`);
export const idRule = "must be 1-128 characters: letters, digits and . _ : @ + - (starting with a letter or digit)";

/** One agent's pops are ordered by `seq`, a 20-digit decimal string that sorts as text. */
const popSeqSource = "\\d{20}";
export const popSeqPattern = new RegExp(`^${popSeqSource}$`);
export const popSeqRule = "a 20-digit pop sequence number";
/** Before every pop: the `since` of a client that has handled none. */
export const firstPopSeq = "0".repeat(20);

/** A pop's id is `<seq>.<agentId>`: the agent's partition and the pop's row in one opaque string. */
export const popIdPattern = new RegExp(`^(${popSeqSource})\\.(${idSource})$`);

/** How many pending pops one catch-up answer holds at most (GET /api/v1/agent/screen-pops): a shorter page is the last. */
export const pendingPopsPerPage = 100;
