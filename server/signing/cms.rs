//! CMS SignedData for PDF signatures (`ETSI.CAdES.detached`): built from a
//! digest of the signed byte ranges, checked back the same way. Signed
//! attributes: content type, signing time, message digest and the ESS
//! signing-certificate-v2 that binds the signer's certificate (CAdES-BES).
//!
//! Reading one back checks an RFC 3161 timestamp token too: its own signature, and that
//! its imprint is this signature's value.

use chrono::{DateTime, TimeZone, Utc};
use cms::cert::IssuerAndSerialNumber;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911::{ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_TIME};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, asn1::GeneralizedTime, asn1::UtcTime};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::der::tlv;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::{Attribute, AttributeValue};
use x509_cert::time::Time;

const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SHA1_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
const SHA256_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const SIGNING_CERTIFICATE_V2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// id-aa-timeStampToken: an RFC 3161 token over the signature value (unsigned attribute).
const TIMESTAMP_TOKEN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// Why a signature could not be made or read.
#[derive(Debug, thiserror::Error)]
#[error("CMS: {0}")]
pub struct CmsError(pub String);

fn e(msg: impl std::fmt::Display) -> CmsError {
    CmsError(msg.to_string())
}

fn alg(oid: ObjectIdentifier, null_params: bool) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid, parameters: null_params.then(Any::null) }
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, CmsError> {
    let mut values: SetOfVec<AttributeValue> = SetOfVec::new();
    values.insert(value).map_err(e)?;
    Ok(Attribute { oid, values })
}

/// The signed attributes for a signature over `digest` (SHA-256 of the byte ranges) by `cert` at `time`.
pub fn signed_attributes(digest: &[u8], cert: &Certificate, time: DateTime<Utc>) -> Result<SignedAttributes, CmsError> {
    let mut attrs = SetOfVec::new();
    attrs.insert(attribute(ID_CONTENT_TYPE, Any::encode_from(&ID_DATA).map_err(e)?)?).map_err(e)?;
    let secs = std::time::Duration::from_secs(time.timestamp().max(0) as u64);
    let t = UtcTime::from_unix_duration(secs).map_err(e)?;
    attrs.insert(attribute(ID_SIGNING_TIME, Any::encode_from(&t).map_err(e)?)?).map_err(e)?;
    let md = OctetString::new(digest.to_vec()).map_err(e)?;
    attrs.insert(attribute(ID_MESSAGE_DIGEST, Any::encode_from(&md).map_err(e)?)?).map_err(e)?;
    // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }, ESSCertIDv2 ::=
    // SEQUENCE { certHash OCTET STRING } (hash algorithm SHA-256 by default).
    let cert_hash = Sha256::digest(cert.to_der().map_err(e)?);
    let ess = tlv(0x30, &tlv(0x30, &tlv(0x30, &tlv(0x04, &cert_hash))));
    attrs.insert(attribute(SIGNING_CERTIFICATE_V2, Any::from_der(&ess).map_err(e)?)?).map_err(e)?;
    Ok(attrs)
}

/// What an external signer signs: SHA-256 of the DER of the signed attributes.
pub fn to_be_signed(attrs: &SignedAttributes) -> Result<Vec<u8>, CmsError> {
    Ok(Sha256::digest(attrs.to_der().map_err(e)?).to_vec())
}

/// Assembles the SignedData from the attributes, the raw RSA signature and the chain (signer first).
pub fn assemble(attrs: SignedAttributes, signature: Vec<u8>, chain: &[Certificate]) -> Result<Vec<u8>, CmsError> {
    let signer = chain.first().ok_or_else(|| e("no signer certificate"))?;
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: signer.tbs_certificate.issuer.clone(),
        serial_number: signer.tbs_certificate.serial_number.clone(),
    });
    let info = SignerInfo {
        version: CmsVersion::V1,
        sid,
        digest_alg: alg(SHA256, false),
        signed_attrs: Some(attrs),
        signature_algorithm: alg(RSA, true),
        signature: OctetString::new(signature).map_err(e)?,
        unsigned_attrs: None,
    };
    let mut certs = SetOfVec::new();
    for c in chain {
        certs.insert(cms::cert::CertificateChoices::Certificate(c.clone())).map_err(e)?;
    }
    let mut digests = SetOfVec::new();
    digests.insert(alg(SHA256, false)).map_err(e)?;
    let mut infos = SetOfVec::new();
    infos.insert(info).map_err(e)?;
    let sd = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: digests,
        encap_content_info: EncapsulatedContentInfo { econtent_type: ID_DATA, econtent: None },
        certificates: Some(CertificateSet(certs)),
        crls: None,
        signer_infos: SignerInfos(infos),
    };
    let ci = ContentInfo { content_type: ID_SIGNED_DATA, content: Any::encode_from(&sd).map_err(e)? };
    ci.to_der().map_err(e)
}

/// A whole signature with a software key.
pub fn sign(
    digest: &[u8],
    key: &RsaPrivateKey,
    chain: &[Certificate],
    time: DateTime<Utc>,
) -> Result<Vec<u8>, CmsError> {
    let cert = chain.first().ok_or_else(|| e("no signer certificate"))?;
    let attrs = signed_attributes(digest, cert, time)?;
    let hashed = to_be_signed(&attrs)?;
    let sig = key.sign(Pkcs1v15Sign::new::<Sha256>(), &hashed).map_err(e)?;
    assemble(attrs, sig, chain)
}

/// What a signature says about itself once checked.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The signer's certificate.
    pub signer: Certificate,
    /// Every certificate the signature carries.
    pub certificates: Vec<Certificate>,
    /// The signing-time attribute, if present.
    pub signing_time: Option<DateTime<Utc>>,
    /// Whether the message digest equals the digest of the signed bytes.
    pub digest_matches: bool,
    /// Whether the signature over the attributes verifies with the signer's key.
    pub signature_valid: bool,
    /// The RFC 3161 timestamp over the signature, if it carries one.
    pub timestamp: Option<Timestamp>,
}

/// What a signature's timestamp token says and whether it holds.
#[derive(Debug, Clone)]
pub struct Timestamp {
    /// When the authority stamped the signature.
    pub time: DateTime<Utc>,
    /// The authority (its certificate's common name).
    pub authority: String,
    /// Whether the token stamps this signature and its own signature verifies.
    pub valid: bool,
}

fn signed_data(der_bytes: &[u8]) -> Result<SignedData, CmsError> {
    let ci = ContentInfo::from_der(trim_der(der_bytes)).map_err(e)?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(e("not a SignedData"));
    }
    ci.content.decode_as().map_err(e)
}

/// The content a timestamp token signs (its TSTInfo, DER).
pub fn timestamp_content(token: &[u8]) -> Option<Vec<u8>> {
    let sd = signed_data(token).ok()?;
    let content = sd.encap_content_info.econtent?;
    Some(content.value().to_vec())
}

/// The signature value of a CMS signature's (first) signer.
pub fn signature_value(der_bytes: &[u8]) -> Result<Vec<u8>, CmsError> {
    let sd = signed_data(der_bytes)?;
    let info = sd.signer_infos.0.iter().next().ok_or_else(|| e("no signer"))?;
    Ok(info.signature.as_bytes().to_vec())
}

/// The RFC 3161 timestamp token (DER) a CMS signature carries, if any.
pub fn timestamp_token(der_bytes: &[u8]) -> Option<Vec<u8>> {
    let sd = signed_data(der_bytes).ok()?;
    let info = sd.signer_infos.0.iter().next()?;
    let attr = info.unsigned_attrs.as_ref()?.iter().find(|a| a.oid == TIMESTAMP_TOKEN)?;
    attr.values.iter().next()?.to_der().ok()
}

/// `der_bytes` with `token` (an RFC 3161 timestamp token over its signature value)
/// added to its signer's unsigned attributes; the signed part is unchanged.
pub fn with_timestamp(der_bytes: &[u8], token: &[u8]) -> Result<Vec<u8>, CmsError> {
    let mut sd = signed_data(der_bytes)?;
    let mut infos: Vec<SignerInfo> = sd.signer_infos.0.into_vec();
    let first = infos.first_mut().ok_or_else(|| e("no signer"))?;
    let mut unsigned = first.unsigned_attrs.take().unwrap_or_default();
    unsigned.insert(attribute(TIMESTAMP_TOKEN, Any::from_der(token).map_err(e)?)?).map_err(e)?;
    first.unsigned_attrs = Some(unsigned);
    sd.signer_infos = SignerInfos(SetOfVec::try_from(infos).map_err(e)?);
    let ci = ContentInfo { content_type: ID_SIGNED_DATA, content: Any::encode_from(&sd).map_err(e)? };
    ci.to_der().map_err(e)
}

fn hash(oid: &ObjectIdentifier, data: &[u8]) -> Option<Vec<u8>> {
    Some(match *oid {
        SHA256 => Sha256::digest(data).to_vec(),
        SHA384 => Sha384::digest(data).to_vec(),
        SHA512 => Sha512::digest(data).to_vec(),
        SHA1 => sha1_digest(data),
        _ => return None,
    })
}

fn sha1_digest(data: &[u8]) -> Vec<u8> {
    use sha1::Digest as _;
    sha1::Sha1::digest(data).to_vec()
}

fn scheme(oid: &ObjectIdentifier) -> Option<Pkcs1v15Sign> {
    Some(match *oid {
        SHA256 => Pkcs1v15Sign::new::<Sha256>(),
        SHA384 => Pkcs1v15Sign::new::<Sha384>(),
        SHA512 => Pkcs1v15Sign::new::<Sha512>(),
        SHA1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
        _ => return None,
    })
}

fn public_key(cert: &Certificate) -> Result<RsaPublicKey, CmsError> {
    let spki = cert.tbs_certificate.subject_public_key_info.to_der().map_err(e)?;
    RsaPublicKey::from_public_key_der(&spki).map_err(|_| e("only RSA keys are supported"))
}

/// Whether `cert` was signed by `issuer`'s key.
pub fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    let digest = match cert.signature_algorithm.oid {
        SHA256_RSA => SHA256,
        SHA384_RSA => SHA384,
        SHA512_RSA => SHA512,
        SHA1_RSA => SHA1,
        _ => return false,
    };
    let (Ok(tbs), Ok(key)) = (cert.tbs_certificate.to_der(), public_key(issuer)) else { return false };
    let (Some(h), Some(s)) = (hash(&digest, &tbs), scheme(&digest)) else { return false };
    let Some(sig) = cert.signature.as_bytes() else { return false };
    key.verify(s, &h, sig).is_ok()
}

fn time_of(t: &Time) -> DateTime<Utc> {
    let secs = t.to_unix_duration().as_secs() as i64;
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// A certificate's validity period.
pub fn validity(cert: &Certificate) -> (DateTime<Utc>, DateTime<Utc>) {
    let v = &cert.tbs_certificate.validity;
    (time_of(&v.not_before), time_of(&v.not_after))
}

/// Checks a detached CMS signature against `digest_of` (which hashes the signed bytes
/// with the named algorithm), and its timestamp token if it carries one.
pub fn check(der_bytes: &[u8], digest_of: impl Fn(&ObjectIdentifier) -> Option<Vec<u8>>) -> Result<Checked, CmsError> {
    let (mut checked, sd) = check_signed(der_bytes, digest_of)?;
    let info = sd.signer_infos.0.iter().next().ok_or_else(|| e("no signer"))?;
    if let Some(token) = timestamp_token(der_bytes) {
        let content = timestamp_content(&token).ok_or_else(|| e("unreadable timestamp token"))?;
        let tst = super::der::read_tst_info(&content).ok_or_else(|| e("unreadable timestamp"))?;
        let stamps_this = tst.imprint[..] == Sha256::digest(info.signature.as_bytes())[..];
        let (t, _) = check_signed(&token, |oid| hash(oid, &content))?;
        checked.timestamp = Some(Timestamp {
            time: tst.time,
            authority: common_name(&t.signer.tbs_certificate.subject),
            valid: stamps_this && t.digest_matches && t.signature_valid,
        });
    }
    Ok(checked)
}

/// The signed part of [`check`]: the signer, its certificates, the digest and the signature.
fn check_signed(
    der_bytes: &[u8],
    digest_of: impl Fn(&ObjectIdentifier) -> Option<Vec<u8>>,
) -> Result<(Checked, SignedData), CmsError> {
    // The /Contents string is zero-padded after the DER.
    let sd = signed_data(der_bytes)?;
    let certificates: Vec<Certificate> = sd
        .certificates
        .as_ref()
        .map(|s| {
            s.0.iter()
                .filter_map(|c| match c {
                    cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let info = sd.signer_infos.0.iter().next().ok_or_else(|| e("no signer"))?;
    let signer = certificates
        .iter()
        .find(|c| match &info.sid {
            SignerIdentifier::IssuerAndSerialNumber(isn) => {
                c.tbs_certificate.issuer == isn.issuer && c.tbs_certificate.serial_number == isn.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(_) => true,
        })
        .cloned()
        .ok_or_else(|| e("the signer's certificate is not in the signature"))?;
    let attrs = info.signed_attrs.as_ref().ok_or_else(|| e("no signed attributes"))?;
    let find = |oid: ObjectIdentifier| attrs.iter().find(|a| a.oid == oid).and_then(|a| a.values.iter().next());
    let md = find(ID_MESSAGE_DIGEST).and_then(|v| v.decode_as::<OctetString>().ok()).ok_or_else(|| e("no digest"))?;
    let digest_matches = digest_of(&info.digest_alg.oid).is_some_and(|d| d == md.as_bytes());
    let signing_time = find(ID_SIGNING_TIME).and_then(|v| {
        if let Ok(t) = v.decode_as::<UtcTime>() {
            Utc.timestamp_opt(t.to_unix_duration().as_secs() as i64, 0).single()
        } else if let Ok(t) = v.decode_as::<GeneralizedTime>() {
            Utc.timestamp_opt(t.to_unix_duration().as_secs() as i64, 0).single()
        } else {
            None
        }
    });
    let attrs_der = attrs.to_der().map_err(e)?;
    let signature_valid = match (hash(&info.digest_alg.oid, &attrs_der), scheme(&info.digest_alg.oid)) {
        (Some(h), Some(s)) => public_key(&signer).is_ok_and(|k| k.verify(s, &h, info.signature.as_bytes()).is_ok()),
        _ => false,
    };
    Ok((Checked { signer, certificates, signing_time, digest_matches, signature_valid, timestamp: None }, sd))
}

/// The DER element at the start of `b` (drops the zero padding after it).
fn trim_der(b: &[u8]) -> &[u8] {
    let len = (|| {
        let first = *b.get(1)?;
        if first < 0x80 {
            return Some(2 + first as usize);
        }
        let n = (first & 0x7F) as usize;
        let mut len = 0usize;
        for i in 0..n {
            len = len.checked_mul(256)? + *b.get(2 + i)? as usize;
        }
        Some(2 + n + len)
    })();
    match len {
        Some(l) if l <= b.len() => &b[..l],
        _ => b,
    }
}

/// Hashes `data` with the algorithm `oid` names (for the verifier).
pub fn digest_with(oid: &ObjectIdentifier, data: &[&[u8]]) -> Option<Vec<u8>> {
    let joined: Vec<u8> = data.concat();
    hash(oid, &joined)
}

/// Common name (CN).
pub const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// The text values of attribute `oid` in `name`.
pub fn name_values(name: &x509_cert::name::Name, oid: ObjectIdentifier) -> Vec<String> {
    let mut out = Vec::new();
    for atv in name.0.iter().flat_map(|rdn| rdn.0.iter()).filter(|atv| atv.oid == oid) {
        if let Ok(s) = atv.value.decode_as::<der::asn1::Utf8StringRef>() {
            out.push(s.as_str().to_owned());
        } else if let Ok(s) = atv.value.decode_as::<der::asn1::PrintableStringRef>() {
            out.push(s.as_str().to_owned());
        }
    }
    out
}

/// A readable name: the CN, or the whole DN.
pub fn common_name(name: &x509_cert::name::Name) -> String {
    name_values(name, CN).into_iter().next().unwrap_or_else(|| name.to_string())
}
