/**
 * Who may do what. Roles are fixed sets of permissions; every HTTP route and socket event names the
 * permission it needs (auth/access.ts), so a review of access is a review of two tables.
 */
export const PERMISSIONS = [
  'live.read', // live figures, charts, the dashboard's socket
  'energy.read', // energy, demand, efficiency over a range
  'alerts.ack', // acknowledge alerts
  'comparison.read', // site comparison, tariffs (read)
  'history.read', // replay and raw history
  'reports.read', // facility reports
  'exports.read', // exports with manifests
  'audit.read', // the audit log
  'metrics.read', // Prometheus metrics, health details
  'users.admin', // users and API tokens
  'fleet.admin', // the fleet file
  'rules.admin', // alert rules
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['operator', 'energy_manager', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const BASE: Permission[] = ['live.read', 'energy.read'];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  operator: new Set<Permission>([...BASE, 'alerts.ack', 'metrics.read']),
  energy_manager: new Set<Permission>([...BASE, 'comparison.read']),
  // Auditors read everything that happened, and change nothing.
  auditor: new Set<Permission>([...BASE, 'comparison.read', 'history.read', 'reports.read', 'exports.read', 'audit.read']),
  admin: new Set<Permission>(PERMISSIONS),
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function allows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}
