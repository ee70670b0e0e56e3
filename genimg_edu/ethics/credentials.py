"""Content credentials (C2PA): a signed manifest inside the file that says who made it and how.

    chain = make_test_chain()                          # a root CA + a signing certificate, made here
    signed = sign_image(png_bytes, chain=chain, generator="genimg-edu diffusion")  # bytes of a PNG
    report = read_credentials(signed)                  # {"manifest", "state", "errors", ...}
    read_credentials(change_one_pixel(signed))         # the hash binding breaks: "Invalid"
    read_credentials(reencode(signed))                 # a re-encode drops the manifest: None

Everything is offline: the certificate chain is generated on the spot with the `cryptography`
package (ES256, P-256), so readers report the signer as untrusted (it is not on the C2PA trust list),
but the signature and the hash of the pixels are checked all the same. Needs the optional extra:
pip install 'genimg-edu[ethics]'.
"""
from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass

from PIL import Image

INSTALL_HINT = "pip install 'genimg-edu[ethics]'"
AI_SOURCE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


def _c2pa():
    try:
        import c2pa
    except ImportError as error:
        raise ImportError(f"the c2pa-python package is not installed: {INSTALL_HINT}") from error
    return c2pa


@dataclass(frozen=True)
class TestChain:
    """PEM text of a signing certificate + its root (chain, leaf first) and the leaf's private key."""

    chain_pem: bytes
    key_pem: bytes
    root_pem: bytes


def make_test_chain(*, organisation: str = "genimg-edu classroom (test only)", days: int = 365) -> TestChain:
    """A throw-away root CA and an ES256 signing certificate it issued, with the extensions C2PA
    requires of a signer (not a CA, digitalSignature, extended key use emailProtection)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)

    def name(common):
        return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                          x509.NameAttribute(NameOID.COMMON_NAME, common)])

    root_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = (x509.CertificateBuilder().subject_name(name("Test Root CA")).issuer_name(name("Test Root CA"))
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=True, crl_sign=True, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(name("Test Signer")).issuer_name(root.subject)
            .public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=False, crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                           critical=False)
            .sign(root_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    key_pem = leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    root_pem = root.public_bytes(pem)
    return TestChain(chain_pem=leaf.public_bytes(pem) + root_pem, key_pem=key_pem, root_pem=root_pem)


def manifest_definition(*, generator: str, title: str = "generated image") -> dict:
    """The claim we sign: which tool made the image, and that it was made by a trained model."""
    return {
        "claim_generator_info": [{"name": "genimg-edu", "version": "0.1"}],
        "title": title,
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [
            {"action": "c2pa.created", "digitalSourceType": AI_SOURCE,
             "softwareAgent": {"name": generator}}]}}],
    }


def _mime(data: bytes) -> str:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:2] == b"\xff\xd8":
        return "image/jpeg"
    raise ValueError("image bytes must be a PNG or a JPEG file")


def sign_image(data: bytes, *, chain: TestChain, generator: str, title: str = "generated image") -> bytes:
    """Embed a signed C2PA manifest in a PNG or JPEG (bytes in, bytes out)."""
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"data must be the bytes of a PNG or JPEG file, got {type(data).__name__}")
    c2pa = _c2pa()
    mime = _mime(bytes(data))
    info = c2pa.C2paSignerInfo(alg=b"es256", sign_cert=chain.chain_pem, private_key=chain.key_pem, ta_url=None)
    signer = c2pa.Signer.from_info(info)
    builder = c2pa.Builder(json.dumps(manifest_definition(generator=generator, title=title)))
    out = io.BytesIO()
    builder.sign(signer, mime, io.BytesIO(bytes(data)), out)
    return out.getvalue()


def read_credentials(data: bytes) -> dict | None:
    """The manifest store of a PNG/JPEG, or None when the file carries no credentials.
    Returns {"state": "Valid" / "Invalid" / ..., "errors": [codes], "generator": ..., "source_type": ...,
    "manifest": the active manifest dict}. Untrusted-signer codes are listed apart ("untrusted")."""
    c2pa = _c2pa()
    mime = _mime(bytes(data))
    reader = c2pa.Reader.try_create(mime, io.BytesIO(bytes(data)))
    if reader is None:
        return None
    store = json.loads(reader.json())
    manifest = store["manifests"][store["active_manifest"]]
    statuses = store.get("validation_status", []) or []
    codes = [s.get("code", "") for s in statuses]
    actions = [a for assertion in manifest.get("assertions", []) if assertion.get("label", "").startswith("c2pa.actions")
               for a in assertion["data"]["actions"]]
    created = next((a for a in actions if a.get("action") == "c2pa.created"), {})
    agent = created.get("softwareAgent", {})
    return {"state": store.get("validation_state"),
            "errors": [c for c in codes if "untrusted" not in c.lower()],
            "untrusted": [c for c in codes if "untrusted" in c.lower()],
            "generator": agent.get("name") if isinstance(agent, dict) else agent,
            "source_type": created.get("digitalSourceType"), "manifest": manifest}


def png_bytes(image) -> bytes:
    """A PIL image or an (H, W, 3) uint8 array as PNG bytes."""
    import numpy as np
    pil = image if isinstance(image, Image.Image) else Image.fromarray(np.asarray(image))
    buffer = io.BytesIO()
    pil.save(buffer, format="PNG")
    return buffer.getvalue()


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """A PNG's chunks as (type, payload) pairs."""
    import struct
    chunks, position = [], 8
    while position < len(data):  # each chunk: length, type, payload, CRC
        length = struct.unpack(">I", data[position:position + 4])[0]
        chunks.append((data[position + 4:position + 8], data[position + 8:position + 8 + length]))
        position += 12 + length
    return chunks


def change_one_pixel(data: bytes, *, row: int = 0, column: int = 0) -> bytes:
    """Change one pixel's red value by 1 and keep every other chunk of the file (the C2PA manifest
    included) byte for byte: the edit a forger hopes goes unnoticed."""
    import struct
    import zlib

    import numpy as np
    if _mime(bytes(data)) != "image/png":
        raise ValueError("change_one_pixel works on PNG files")
    pixels = np.array(Image.open(io.BytesIO(bytes(data))))
    pixels[row, column, 0] = pixels[row, column, 0] + 1 if pixels[row, column, 0] < 255 else 254
    new_idat = b"".join(payload for kind, payload in _chunks(png_bytes(pixels)) if kind == b"IDAT")
    out, written = bytearray(data[:8]), False
    for kind, payload in _chunks(bytes(data)):
        if kind == b"IDAT":
            if written:
                continue
            payload, written = new_idat, True
        out += struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    return bytes(out)


def reencode(data: bytes, *, format: str = "JPEG", quality: int = 90) -> bytes:
    """Decode and save again (as a chat app or a screenshot does): only the pixels survive."""
    buffer = io.BytesIO()
    Image.open(io.BytesIO(bytes(data))).convert("RGB").save(buffer, format=format, quality=quality)
    return buffer.getvalue()
