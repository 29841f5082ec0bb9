/**
 * The channels a conversation or activity travels on. Plain data, no zod: the desktop's dashboard (a
 * browser chunk) lists them from here; the `Channel` schema (conversationEvent.ts) is built from it.
 */
export const channels = ["voice", "chat", "sms", "email", "video", "social"] as const;
export type ChannelName = (typeof channels)[number];
