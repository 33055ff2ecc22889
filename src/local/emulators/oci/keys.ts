import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

/** File names as OCI's own setup (`oci setup keys`) writes them; local.settings.sample.json points at the first. */
export const PRIVATE_KEY_FILE = "oci_api_key.pem";
export const PUBLIC_KEY_FILE = "oci_api_key_public.pem";

export interface OciApiKey {
  privateKeyPath: string;
  publicKeyPath: string;
  publicKeyPem: string;
  fingerprint: string;
}

/** OCI's key fingerprint: MD5 of the DER SubjectPublicKeyInfo, as colon-separated hex (`openssl md5 -c`). */
export function fingerprintOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return createHash("md5").update(der).digest("hex").match(/../g)!.join(":");
}

/**
 * The API signing key pair of the local stack: generated once, then reused, so that settings that hold
 * the fingerprint stay valid across restarts. The private key file is the source of truth; the public
 * file is derived from it. The private key is never logged or returned, only its path.
 */
export function ensureOciApiKey(keyDir: string): OciApiKey {
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  const privateKeyPath = path.join(keyDir, PRIVATE_KEY_FILE);
  const publicKeyPath = path.join(keyDir, PUBLIC_KEY_FILE);
  if (!existsSync(privateKeyPath)) writePrivateKeyOnce(privateKeyPath);
  const publicKey = createPublicKey(readFileSync(privateKeyPath, "utf8"));
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  if (!existsSync(publicKeyPath) || readFileSync(publicKeyPath, "utf8") !== publicKeyPem) {
    writeFileSync(publicKeyPath, publicKeyPem, { mode: 0o600 });
  }
  return { privateKeyPath, publicKeyPath, publicKeyPem, fingerprint: fingerprintOf(publicKey) };
}

function writePrivateKeyOnce(privateKeyPath: string): void {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const tmp = `${privateKeyPath}.${process.pid}.tmp`;
  writeFileSync(tmp, pem, { mode: 0o600 });
  try {
    // link() fails when the file exists: two stacks starting at once keep the first key, never swap it.
    linkSync(tmp, privateKeyPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    unlinkSync(tmp);
  }
}
