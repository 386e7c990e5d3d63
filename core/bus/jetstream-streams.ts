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
    if (!differs(existing, wanted)) continue;
    try {
      await jsm.streams.update(spec.name, { ...existing, ...wanted });
      logger.info({ stream: spec.name }, "stream updated");
    } catch (error) {
      logger.warn({ err: error, stream: spec.name }, "stream config change not allowed; kept");
    }
  }
}

function differs(existing: StreamConfig, wanted: Partial<StreamConfig>): boolean {
  return (Object.keys(wanted) as (keyof StreamConfig)[]).some(
    (key) => JSON.stringify(existing[key]) !== JSON.stringify(wanted[key]),
  );
}
