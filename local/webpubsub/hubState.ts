import type { ClientConnection } from "./clientConnection.js";
import type { ConnectionPredicate } from "./filter.js";
import type { OutgoingMessage } from "./messages.js";

/** Hub names are case-insensitive in the service; the lower-cased name is the key. */
export const HUB_NAME = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;

export interface Delivery {
  /** Connection ids that must not receive the message (REST `excluded`). */
  excluded?: ReadonlySet<string>;
  filter?: ConnectionPredicate;
  /** The publishing connection, when it asked for `noEcho`. */
  skip?: ClientConnection;
}

/**
 * Connections of one hub with their user and group indexes, so that a send
 * touches only its recipients. Connections that are dropped but still
 * resumable stay in every index: they buffer what is sent to them.
 */
export class Hub {
  readonly connections = new Map<string, ClientConnection>();
  private readonly users = new Map<string, Set<ClientConnection>>();
  private readonly groups = new Map<string, Set<ClientConnection>>();

  constructor(readonly name: string) {}

  add(conn: ClientConnection): void {
    this.connections.set(conn.id, conn);
    if (conn.userId !== undefined) {
      addTo(this.users, conn.userId, conn);
    }
  }

  remove(conn: ClientConnection): void {
    if (this.connections.get(conn.id) !== conn) {
      return;
    }
    this.connections.delete(conn.id);
    if (conn.userId !== undefined) {
      removeFrom(this.users, conn.userId, conn);
    }
    for (const group of conn.groups) {
      removeFrom(this.groups, group, conn);
    }
    conn.groups.clear();
  }

  addToGroup(conn: ClientConnection, group: string): void {
    if (conn.isClosed || conn.groups.has(group)) {
      return;
    }
    conn.groups.add(group);
    addTo(this.groups, group, conn);
  }

  removeFromGroup(conn: ClientConnection, group: string): void {
    if (conn.groups.delete(group)) {
      removeFrom(this.groups, group, conn);
    }
  }

  removeFromAllGroups(conn: ClientConnection): void {
    for (const group of [...conn.groups]) {
      this.removeFromGroup(conn, group);
    }
  }

  userConnections(userId: string): ReadonlySet<ClientConnection> {
    return this.users.get(userId) ?? EMPTY;
  }

  groupConnections(group: string): ReadonlySet<ClientConnection> {
    return this.groups.get(group) ?? EMPTY;
  }

  deliverToAll(message: OutgoingMessage, delivery: Delivery = {}): void {
    deliver(this.connections.values(), message, delivery);
  }

  deliverToUser(userId: string, message: OutgoingMessage, delivery: Delivery = {}): void {
    deliver(this.userConnections(userId), message, delivery);
  }

  deliverToGroup(group: string, message: OutgoingMessage, skip?: ClientConnection, delivery: Delivery = {}): void {
    deliver(this.groupConnections(group), message, { ...delivery, skip });
  }

  /** Connections selected by an optional filter and exclusion list (close/addToGroups APIs). */
  select(from: Iterable<ClientConnection>, delivery: Delivery = {}): ClientConnection[] {
    const out: ClientConnection[] = [];
    for (const conn of from) {
      if (matches(conn, delivery)) {
        out.push(conn);
      }
    }
    return out;
  }
}

const EMPTY: ReadonlySet<ClientConnection> = new Set();

function matches(conn: ClientConnection, d: Delivery): boolean {
  return (
    conn !== d.skip &&
    (d.excluded === undefined || !d.excluded.has(conn.id)) &&
    (d.filter === undefined || d.filter(conn))
  );
}

function deliver(targets: Iterable<ClientConnection>, message: OutgoingMessage, d: Delivery): void {
  // A delivery may close a connection (replay buffer overflow), which removes
  // it from these sets mid-iteration; Set iteration tolerates deletion.
  for (const conn of targets) {
    if (matches(conn, d)) {
      conn.deliver(message);
    }
  }
}

function addTo(index: Map<string, Set<ClientConnection>>, key: string, conn: ClientConnection): void {
  let set = index.get(key);
  if (set === undefined) {
    set = new Set();
    index.set(key, set);
  }
  set.add(conn);
}

function removeFrom(index: Map<string, Set<ClientConnection>>, key: string, conn: ClientConnection): void {
  const set = index.get(key);
  if (set !== undefined && set.delete(conn) && set.size === 0) {
    index.delete(key);
  }
}

/** All hubs, created on first use like the service does. */
export class HubRegistry {
  private readonly hubs = new Map<string, Hub>();

  get(name: string): Hub {
    const key = name.toLowerCase();
    let hub = this.hubs.get(key);
    if (hub === undefined) {
      hub = new Hub(key);
      this.hubs.set(key, hub);
    }
    return hub;
  }

  all(): IterableIterator<Hub> {
    return this.hubs.values();
  }
}
