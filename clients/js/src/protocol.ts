// The wire format of Felix's WebSocket, as the protocol document describes it, plus the extensions
// the gateway adds: a top-level `seq` on updates and `since` on a listeners update. The only place
// on the JavaScript side that spells the codes.

/** Any JSON value: what a guild or user entry may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export const OpCode = {
  HEARTBEAT: 20001,
  LISTENERS_UPDATE: 20002,
  HEARTBEAT_ACK: 10001,
  GDB_UPDATE: 10002,
  UDB_UPDATE: 10003,
} as const;

/** One shard: an Eris shard object whose `latency` is called `ping`. */
export interface Shard {
  id: number;
  /** `ready`, `connecting`, `handshaking`, `resuming` or `disconnected`. */
  status: string;
  /** Latency to Discord in ms. */
  ping: number;
  ready?: boolean;
  /** ms epoch of the last heartbeat the shard sent to Discord. */
  lastHeartbeatSent?: number;
  /** ms epoch of the last heartbeat ACK the shard received. */
  lastHeartbeatReceived?: number;
  guildCount?: number;
}

/** Data of a Heartbeat ACK (10001). */
export interface HeartbeatAck {
  /** ms epoch at which the gateway read the heartbeat. */
  receivedAt: number;
  shards: Shard[];
  guildsCount: number;
  /** MiB in use: the sum over the bot's status reporters, or the gateway's own heap when none says. */
  memoryUsage: number;
  /** ms since the bot is up. */
  uptime: number;
}

/** Data of a GDB Update (10002); `guildData` is `null` once the entry was deleted. */
export interface GuildUpdate<T = JsonValue> {
  guildID: string;
  guildData: T | null;
}

/** Data of a UDB Update (10003); `userData` is `null` once the entry was deleted. */
export interface UserUpdate<T = JsonValue> {
  userID: string;
  userData: T | null;
}

/** Data of a Listeners update (20002). `since` asks for what changed after that seq first. */
export interface ListenersUpdate {
  guilds: string[];
  users: string[];
  since?: number;
}

export type ServerMessage =
  | { code: typeof OpCode.HEARTBEAT_ACK; name: 'Heartbeat ACK'; data: HeartbeatAck }
  | { code: typeof OpCode.GDB_UPDATE; name: 'GDB Update'; data: GuildUpdate; seq: number }
  | { code: typeof OpCode.UDB_UPDATE; name: 'UDB Update'; data: UserUpdate; seq: number };

export type ClientMessage =
  | { code: typeof OpCode.HEARTBEAT }
  | { code: typeof OpCode.LISTENERS_UPDATE; data: ListenersUpdate };

/** A change of one entry, as read from a GDB or UDB Update. */
export interface EntryChange {
  kind: 'guild' | 'user';
  id: string;
  data: JsonValue | null;
  seq: number;
}

export function encode(message: ClientMessage): string {
  return JSON.stringify(message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads one server message: a Heartbeat ACK's data, an entry change, or null for anything else
 * (which the protocol says to ignore, as the gateway does with what it cannot read).
 */
export function decode(text: string): { ack: HeartbeatAck } | { change: EntryChange } | null {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(message) || !isObject(message.data)) {
    return null;
  }
  const data = message.data;
  switch (message.code) {
    case OpCode.HEARTBEAT_ACK:
      return { ack: data as unknown as HeartbeatAck };
    case OpCode.GDB_UPDATE:
      return change('guild', data.guildID, data.guildData, message.seq);
    case OpCode.UDB_UPDATE:
      return change('user', data.userID, data.userData, message.seq);
    default:
      return null;
  }
}

function change(kind: 'guild' | 'user', id: unknown, data: unknown, seq: unknown): { change: EntryChange } | null {
  if (typeof id !== 'string' || typeof seq !== 'number' || data === undefined) {
    return null;
  }
  return { change: { kind, id, data: data as JsonValue | null, seq } };
}
