/**
 * Client roles, as carried by the access token's `role` claim and changed at
 * runtime by the grant/revoke REST calls. A role is either global
 * (`webpubsub.sendToGroup`) or scoped to one group (`webpubsub.sendToGroup.g1`).
 */
export type Permission = "joinLeaveGroup" | "sendToGroup";

const PERMISSIONS: ReadonlySet<string> = new Set<Permission>(["joinLeaveGroup", "sendToGroup"]);

export function parsePermission(value: string): Permission | undefined {
  // The REST API spells them in camelCase; accept any casing like the service.
  for (const p of PERMISSIONS) {
    if (p.toLowerCase() === value.toLowerCase()) {
      return p as Permission;
    }
  }
  return undefined;
}

export function roleName(permission: Permission, group?: string): string {
  return group === undefined || group === ""
    ? `webpubsub.${permission}`
    : `webpubsub.${permission}.${group}`;
}

/** True when the roles allow `permission` on `group` (globally or for that group). */
export function isAllowed(roles: ReadonlySet<string>, permission: Permission, group: string): boolean {
  return roles.has(roleName(permission)) || roles.has(roleName(permission, group));
}

/** Reads the `role` claim, which tokens carry as an array but some issuers send as one string. */
export function rolesFromClaim(claim: unknown): Set<string> {
  if (typeof claim === "string") {
    return new Set([claim]);
  }
  if (Array.isArray(claim)) {
    return new Set(claim.filter((r): r is string => typeof r === "string"));
  }
  return new Set();
}
