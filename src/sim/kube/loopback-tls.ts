/**
 * A self-signed certificate and its key for the loopback API server's optional HTTPS
 * (`startKubeApiServer({ tls: true })`): valid for 127.0.0.1 and localhost until 2126, and its
 * own CA, so clients verify it with `certificate-authority-data` in the kubeconfig.
 *
 * TEST MATERIAL ONLY: the key is public (it is in this repository); it protects nothing and is
 * here because client-go (kubectl) sends bearer tokens only over TLS. Made with:
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
 *     -subj "/CN=chaos-gate loopback API server" \
 *     -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
 *     -addext "basicConstraints=critical,CA:TRUE" \
 *     -addext "keyUsage=critical,digitalSignature,keyCertSign" -addext "extendedKeyUsage=serverAuth"
 */
export const LOOPBACK_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIB7DCCAZKgAwIBAgIUG33/m0nJO/Zh8uCA5LlX0/UkerswCgYIKoZIzj0EAwIw
KTEnMCUGA1UEAwweY2hhb3MtZ2F0ZSBsb29wYmFjayBBUEkgc2VydmVyMCAXDTI2
MTIwMjEyMzExMloYDzIxMjYxMTA4MTIzMTEyWjApMScwJQYDVQQDDB5jaGFvcy1n
YXRlIGxvb3BiYWNrIEFQSSBzZXJ2ZXIwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AAQIUc2U5c73LrQSfgkMwjxbX37pnL6wr4w2w/XPvytEDa0C9rXWLJsqq8zS9bxK
M9rrG9mE+Z0rWIccyd05AyLao4GVMIGSMB0GA1UdDgQWBBTwf9iPX+2ukMAce7n7
L+6GF4G9ezAfBgNVHSMEGDAWgBTwf9iPX+2ukMAce7n7L+6GF4G9ezAaBgNVHREE
EzARhwR/AAABgglsb2NhbGhvc3QwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8E
BAMCAoQwEwYDVR0lBAwwCgYIKwYBBQUHAwEwCgYIKoZIzj0EAwIDSAAwRQIgQ5yp
tQ11Is/8QEOi4xURVBHz4UWUGqPFkwX5u70LWxgCIQCZt9nRMFspBjsgnfel5laX
xb4lnz0PXRBs3SDKLvBwdw==
-----END CERTIFICATE-----
`;

export const LOOPBACK_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRygbbaf6W9f6Z5kI
SbeNWDCsNri45bjMKgaxzeuU7q6hRANCAAQIUc2U5c73LrQSfgkMwjxbX37pnL6w
r4w2w/XPvytEDa0C9rXWLJsqq8zS9bxKM9rrG9mE+Z0rWIccyd05AyLa
-----END PRIVATE KEY-----
`;
