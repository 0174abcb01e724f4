/**
 * The two names the Electron bridge uses. The renderer (engine-client.ts) uses the same strings as
 * window-message types.
 *
 * - ENGINE_PORT: main → preload over IPC with one MessagePort; preload → page as a window message
 *   carrying that port.
 * - ENGINE_PORT_REQUEST: page → preload as a window message; preload → main over IPC. Main answers
 *   with a fresh ENGINE_PORT, so a page that started listening late still gets connected.
 */
export const ENGINE_PORT = 'millrace:engine-port';
export const ENGINE_PORT_REQUEST = 'millrace:engine-port-request';
