/** The secrets store: see ./secret-store.ts. */
export { SecretStore, SECRET_ENV_PREFIX, type SecretBackend, type SecretInfo, type SecretStoreOptions } from './secret-store';
export { createFileSecretBackend } from './file-backend';
