#!/usr/bin/env bash
# A throwaway CA and a certificate for `localhost` signed by it, for the tests' identity
# providers: the server is told to trust the CA (IAM_FEDERATION_CA_FILE). Also the SAML IdP's
# self-signed signing certificate (SAML trusts the certificate in the metadata, not a CA), and a
# second, unrelated one for assertions signed with a key the service provider does not know.
#   certs.sh DIR   writes DIR/ca.pem, DIR/localhost.pem, DIR/localhost.key,
#                  DIR/saml.pem, DIR/saml.key, DIR/saml-other.pem, DIR/saml-other.key
set -euo pipefail
dir="$1"
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=iam-console test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout localhost.key -out localhost.csr 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost\n' > leaf.ext
openssl x509 -req -in localhost.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile leaf.ext -out localhost.pem 2>/dev/null
rm -f localhost.csr leaf.ext ca.srl
for name in saml saml-other; do
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=iam-console test SAML IdP" \
    -keyout "$name.key" -out "$name.pem" 2>/dev/null
done
