/**
 * Engine calls of the LLM node and the secrets it uses (split from ../actions.ts, same rules:
 * every engine call goes through an action; errors become toasts or return values, never throws).
 */
import type { LlmServerInfo, LlmTestResult, SecretInfo } from '../../shared/api';
import { engine } from '../engine-client';
import { useSession } from '../stores/session-store';
import { describeError, failed } from '../actions';

const session = () => useSession.getState();

/** The LLM node's Test button: one one-token request with the node's current settings. */
export async function testLlmConnection(config: unknown): Promise<LlmTestResult> {
  try {
    return await engine().testLlm({ config });
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

/** Local OpenAI-compatible servers (Ollama, LM Studio) and `urls`, with their models. */
export async function detectLlmServers(urls: string[]): Promise<LlmServerInfo[]> {
  try {
    return await engine().detectLlmServers({ urls });
  } catch (error) {
    failed('Could not look for local servers')(error);
    return [];
  }
}

/** Names of stored secrets (values never reach the UI). */
export async function listSecrets(): Promise<SecretInfo[]> {
  try {
    return await engine().listSecrets();
  } catch (error) {
    failed('Could not list secrets')(error);
    return [];
  }
}

export async function saveSecret(name: string, value: string): Promise<boolean> {
  try {
    await engine().setSecret({ name, value });
    session().toast('success', `Secret "${name}" saved; flows refer to it as secret:${name}`);
    return true;
  } catch (error) {
    failed(`Could not save secret "${name}"`)(error);
    return false;
  }
}

export async function removeSecret(name: string): Promise<void> {
  try {
    await engine().deleteSecret({ name });
    session().toast('success', `Secret "${name}" deleted`);
  } catch (error) {
    failed(`Could not delete secret "${name}"`)(error);
  }
}

/** Saves the selected run's live LLM answers as replay recordings (offline demos, deterministic tests). */
export async function recordLlmReplay(runId: string): Promise<void> {
  try {
    const { entries, file } = await engine().recordLlmReplay({ runId });
    session().toast('success', `Saved ${entries} LLM answer${entries === 1 ? '' : 's'} for replay in ${file}`);
  } catch (error) {
    failed('Could not record the answers')(error);
  }
}
