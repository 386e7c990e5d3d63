import { readFileSync } from "node:fs";
import { ServerCredentials } from "@grpc/grpc-js";
import { type Config, ErrorCode, SwitchboardError } from "../core/index.js";

/**
 * gRPC server credentials from the configuration: plaintext by default, TLS with a certificate
 * and key, mutual TLS when a client CA is also given (clients without a certificate signed by
 * it are refused during the handshake). Unreadable files stop start-up naming the flag.
 */
export function serverCredentials(
  config: Pick<Config, "tlsCertFile" | "tlsKeyFile" | "tlsClientCaFile">,
): ServerCredentials {
  if (config.tlsCertFile === undefined || config.tlsKeyFile === undefined) {
    return ServerCredentials.createInsecure();
  }
  const certChain = readPem("--tls-cert-file", config.tlsCertFile);
  const privateKey = readPem("--tls-key-file", config.tlsKeyFile);
  const clientCa =
    config.tlsClientCaFile === undefined
      ? null
      : readPem("--tls-client-ca-file", config.tlsClientCaFile);
  return ServerCredentials.createSsl(
    clientCa,
    [{ cert_chain: certChain, private_key: privateKey }],
    clientCa !== null,
  );
}

function readPem(flag: string, path: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (err) {
    throw new SwitchboardError(
      ErrorCode.FailedPrecondition,
      `cannot read ${flag} ${path}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (!pem.includes("-----BEGIN ")) {
    throw new SwitchboardError(ErrorCode.FailedPrecondition, `${flag} ${path} is not a PEM file`);
  }
  return pem;
}
