import {
  DiscardPolicy,
  type JetStreamManager,
  nanos,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "nats";
import type { Logger } from "../log.js";
import type { StreamSpec } from "./bus.js";
import { apiErrorCode, fromNatsError, JsApiCode } from "./nats-errors.js";

export interface StreamSettings {
  readonly replicas: number;
  readonly storage: "file" | "memory";
  readonly duplicateWindowMs: number;
}

/**
 * Creates each stream, or brings an existing one to the wanted config. Some changes are not
 * allowed on a live stream (storage type; replicas beyond the cluster size): the existing
 * stream keeps working, so we log and go on rather than refuse to start.
 */
export async function ensureJetStreams(
  jsm: JetStreamManager,
  specs: readonly StreamSpec[],
  settings: StreamSettings,
  logger: Logger,
): Promise<void> {
  for (const spec of specs) {
    const wanted: Partial<StreamConfig> = {
      name: spec.name,
      subjects: [...spec.subjects],
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      storage: settings.storage === "memory" ? StorageType.Memory : StorageType.File,
      num_replicas: settings.replicas,
      duplicate_window: nanos(settings.duplicateWindowMs),
    };
    let existing: StreamConfig;
    try {
      existing = (await jsm.streams.info(spec.name)).config;
    } catch (error) {
      if (apiErrorCode(error) !== JsApiCode.streamNotFound) {
        throw fromNatsError(error, `stream ${spec.name}`);
      }
      try {
        await jsm.streams.add(wanted);
        logger.info({ stream: spec.name }, "stream created");
      } catch (addError) {
        throw fromNatsError(addError, `create stream ${spec.name}`);
      }
      continue;
    }
    await updateStream(jsm, existing, wanted, logger);
  }
}

/**
 * Applies what may change. Storage never can (kept, with a warning); replicas can only within
 * the cluster size, so a refused update is retried with the current replica count.
 */
async function updateStream(
  jsm: JetStreamManager,
  existing: StreamConfig,
  wanted: Partial<StreamConfig>,
  logger: Logger,
): Promise<void> {
  const name = existing.name;
  if (existing.storage !== wanted.storage) {
    logger.warn({ stream: name, storage: existing.storage }, "stream storage cannot change; kept");
  }
  const target: StreamConfig = { ...existing, ...wanted, storage: existing.storage };
  const attempts = [target, { ...target, num_replicas: existing.num_replicas }];
  let lastError: unknown;
  for (const attempt of attempts) {
    if (!differs(existing, attempt)) return;
    try {
      await jsm.streams.update(name, attempt);
      logger.info({ stream: name }, "stream updated");
      return;
    } catch (error) {
      lastError = error;
    }
  }
  logger.warn({ err: lastError, stream: name }, "stream config change not allowed; kept");
}

function differs(existing: StreamConfig, wanted: Partial<StreamConfig>): boolean {
  return (Object.keys(wanted) as (keyof StreamConfig)[]).some(
    (key) => JSON.stringify(existing[key]) !== JSON.stringify(wanted[key]),
  );
}
