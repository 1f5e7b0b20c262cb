// The environment contract's name for a backend's address: `backend` → `BACKEND_URL`.

/** Name of the variable holding the base URL of backend `name` (Service Connect alias in AWS, runner endpoint locally). */
export function serviceUrlVariable(name: string): string {
  return `${name.toUpperCase().replace(/-/g, '_')}_URL`;
}
