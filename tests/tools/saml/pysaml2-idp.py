# Headless pysaml2 IdP (signing through the xmlsec1 binary): prints a signed SAML Response,
# base64, for the SP described by its metadata file.
# Usage: python pysaml2-idp.py <SP_METADATA_FILE> <ACS_URL> <SP_ENTITY_ID> <InResponseTo|-> <email> <assertion|response|both>
# Env: IDP_KEY, IDP_CERT (PEM files), IDP_ENTITY. ENCRYPT: encrypt the assertion for the SP
# metadata's encryption certificate with this content algorithm URI ("default" keeps
# pysaml2's own default, 3DES), key transport RSA-OAEP.
import base64, functools, os, sys
import saml2.entity
from saml2.sigver import SecurityContext, pre_encryption_part
from saml2 import BINDING_HTTP_POST
from saml2.config import IdPConfig
from saml2.server import Server
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.sigver import get_xmlsec_binary

sp_md, acs, sp_entity, irt, email, mode = sys.argv[1:7]
conf = IdPConfig()
conf.load({
    "entityid": os.environ.get("IDP_ENTITY", "https://idp.example.test/"),
    "key_file": os.environ["IDP_KEY"], "cert_file": os.environ["IDP_CERT"],
    "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
    "metadata": {"local": [sp_md]},
    "service": {"idp": {"endpoints": {"single_sign_on_service": [("https://idp.example.test/sso", BINDING_HTTP_POST)]},
                        "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None}},
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS]}},
})
encrypt = os.environ.get("ENCRYPT")
if encrypt and encrypt != "default":
    saml2.entity.pre_encryption_part = functools.partial(pre_encryption_part, msg_enc=encrypt)
    # pysaml2 asks xmlsec1 for a 3DES session key unless told otherwise.
    session_key = "aes-256"
    SecurityContext.encrypt_assertion = functools.partialmethod(
        SecurityContext.encrypt_assertion, key_type=session_key)
idp = Server(config=conf)
resp = idp.create_authn_response(
    identity={"mail": [email]}, in_response_to=None if irt == "-" else irt,
    destination=acs, sp_entity_id=sp_entity,
    name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
    authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
    sign_assertion=mode in ("assertion", "both"), sign_response=mode in ("response", "both"),
    encrypt_assertion=bool(encrypt),
    sign_alg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    digest_alg="http://www.w3.org/2001/04/xmlenc#sha256")
sys.stdout.write(base64.b64encode(str(resp).encode()).decode())
