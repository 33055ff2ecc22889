import { generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import forge from "node-forge";

/**
 * A local certificate authority and a server certificate for 127.0.0.1/localhost. The Azure SDK's
 * bearer-token policy refuses plain HTTP, so the ARM emulator must speak TLS; a client trusts it by
 * adding ca.pem (tlsOptions.ca in-process, NODE_EXTRA_CA_CERTS for a child process), never by
 * turning verification off.
 */
export interface LocalCertificate {
  caCertPath: string;
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

const FILES = { ca: "ca.pem", cert: "server.pem", key: "server-key.pem" } as const;
/** Renew a little before expiry so a long-lived data folder never serves an expired certificate. */
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

export function ensureLocalCertificate(certDir: string): LocalCertificate {
  mkdirSync(certDir, { recursive: true, mode: 0o700 });
  const caCertPath = path.join(certDir, FILES.ca);
  const existing = readUsable(certDir);
  if (existing) return existing;

  const ca = makeKeys();
  const caCert = makeCertificate({
    subject: "Interconnect local emulator CA",
    issuer: undefined,
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    years: 5,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = makeKeys();
  const serverCert = makeCertificate({
    subject: "127.0.0.1",
    issuer: caCert,
    publicKey: server.publicKey,
    signingKey: ca.privateKey,
    years: 2,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  });
  const result: LocalCertificate = {
    caCertPath,
    caCertPem: forge.pki.certificateToPem(caCert),
    serverCertPem: forge.pki.certificateToPem(serverCert),
    serverKeyPem: server.privateKeyPem,
  };
  // The CA's private key is not kept: a new CA is made whenever the server certificate is renewed.
  writeAtomic(path.join(certDir, FILES.key), result.serverKeyPem, 0o600);
  writeAtomic(path.join(certDir, FILES.cert), result.serverCertPem, 0o644);
  writeAtomic(caCertPath, result.caCertPem, 0o644);
  return result;
}

function readUsable(certDir: string): LocalCertificate | undefined {
  const paths = { ca: path.join(certDir, FILES.ca), cert: path.join(certDir, FILES.cert), key: path.join(certDir, FILES.key) };
  if (!existsSync(paths.ca) || !existsSync(paths.cert) || !existsSync(paths.key)) return undefined;
  try {
    const caCertPem = readFileSync(paths.ca, "utf8");
    const serverCertPem = readFileSync(paths.cert, "utf8");
    const serverKeyPem = readFileSync(paths.key, "utf8");
    const caCert = new X509Certificate(caCertPem);
    const serverCert = new X509Certificate(serverCertPem);
    const fresh = Date.parse(serverCert.validTo) - Date.now() > RENEW_BEFORE_MS;
    if (!fresh || !serverCert.verify(caCert.publicKey) || serverCert.checkIP("127.0.0.1") === undefined) return undefined;
    return { caCertPath: paths.ca, caCertPem, serverCertPem, serverKeyPem };
  } catch {
    return undefined;
  }
}

function makeKeys(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.PrivateKey; privateKeyPem: string } {
  // Node's native RSA generation is far faster than forge's pure-JS one.
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey),
    privateKey: forge.pki.privateKeyFromPem(privateKey),
    privateKeyPem: privateKey,
  };
}

function makeCertificate(o: {
  subject: string;
  issuer: forge.pki.Certificate | undefined;
  publicKey: forge.pki.PublicKey;
  signingKey: forge.pki.PrivateKey;
  years: number;
  extensions: object[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = o.publicKey;
  // Positive 16-byte serial (leading bit cleared).
  cert.serialNumber = "01" + randomBytes(15).toString("hex");
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore);
  notAfter.setFullYear(notAfter.getFullYear() + o.years);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const subject = [
    { name: "commonName", value: o.subject },
    { name: "organizationName", value: "azure-oci-interconnect local" },
  ];
  cert.setSubject(subject);
  cert.setIssuer(o.issuer ? o.issuer.subject.attributes : subject);
  cert.setExtensions([...o.extensions, { name: "subjectKeyIdentifier" }]);
  cert.sign(o.signingKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return cert;
}

function writeAtomic(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}
