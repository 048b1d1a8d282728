//! The additive certificate rule of a metadata refresh (CONTRACT.md §17), as a pure
//! function: a certificate new in the metadata is added at once; one that left it stays
//! trusted 7 more days (the IdP may still sign with it while its rollover propagates) and
//! then goes; one that comes back is simply kept. Expired certificates go at once, and one
//! not valid for more than a day is added on a later refresh (the save rule of §6).

use crate::clock::Millis;
use crate::protocol::certs::parse_certificate;

/// How long a certificate that left the metadata is still trusted.
pub const DEPARTED_KEEP_MS: i64 = 7 * 86_400_000;
/// A certificate whose validity starts later than this is not added yet.
const NOT_YET_VALID_SLACK_MS: i64 = 86_400_000;

/// The outcome of one merge; fingerprints are SHA-256 of the DER, lowercase hex.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CertMerge {
    /// The certificate set to store, current ones first in their order.
    pub certificates: Vec<String>,
    pub added: Vec<String>,
    /// Left the metadata in this refresh: kept until `DEPARTED_KEEP_MS` after now.
    pub departed: Vec<String>,
    /// Gone from the set: departed long enough, or expired.
    pub removed: Vec<String>,
    /// Departed before and back in the metadata now.
    pub returned: Vec<String>,
}

impl CertMerge {
    /// True when the stored set changes.
    pub fn changes_set(&self) -> bool {
        !self.added.is_empty() || !self.removed.is_empty()
    }

    /// True when anything is worth recording (the set or a departure).
    pub fn is_news(&self) -> bool {
        self.changes_set() || !self.departed.is_empty() || !self.returned.is_empty()
    }
}

fn fingerprint(cert: &str) -> Option<(String, Millis, Millis)> {
    parse_certificate(cert)
        .ok()
        .map(|i| (i.sha256_fingerprint, i.not_before, i.not_after))
}

/// Merges the fetched certificates into the current set. `departed` holds the earlier
/// departures (fingerprint, when).
pub fn merge_certificates(
    current: &[String],
    fetched: &[String],
    departed: &[(String, Millis)],
    now: Millis,
) -> CertMerge {
    let fetched: Vec<(String, &String, Millis, Millis)> = fetched
        .iter()
        .filter_map(|c| fingerprint(c).map(|(fp, nb, na)| (fp, c, nb, na)))
        .collect();
    let in_fetched = |fp: &str| fetched.iter().any(|(f, ..)| f == fp);
    let mut merge = CertMerge::default();
    let mut kept_fps = Vec::new();
    for cert in current {
        let Some((fp, _, not_after)) = fingerprint(cert) else {
            continue;
        };
        let departed_at = departed.iter().find(|(f, _)| *f == fp).map(|(_, at)| *at);
        if not_after <= now {
            merge.removed.push(fp);
            continue;
        }
        if in_fetched(&fp) {
            if departed_at.is_some() {
                merge.returned.push(fp.clone());
            }
        } else {
            match departed_at {
                Some(at) if now - at >= DEPARTED_KEEP_MS => {
                    merge.removed.push(fp);
                    continue;
                }
                Some(_) => {}
                None => merge.departed.push(fp.clone()),
            }
        }
        kept_fps.push(fp);
        merge.certificates.push(cert.clone());
    }
    for (fp, cert, not_before, not_after) in &fetched {
        let usable = *not_after > now && *not_before <= now + NOT_YET_VALID_SLACK_MS;
        if usable && !kept_fps.contains(fp) {
            kept_fps.push(fp.clone());
            merge.added.push(fp.clone());
            merge.certificates.push((*cert).clone());
        }
    }
    merge
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDP: &str = include_str!("../../tests/fixtures/saml/idp.crt");
    const IDP2: &str = include_str!("../../tests/fixtures/saml/idp2.crt");
    const OTHER: &str = include_str!("../../tests/fixtures/saml/attacker.crt");

    const DAY: i64 = 86_400_000;

    fn fp(cert: &str) -> String {
        fingerprint(cert).unwrap().0
    }

    fn now() -> Millis {
        crate::clock::parse_rfc3339("2027-06-01T00:00:00Z").unwrap()
    }

    #[test]
    fn a_new_certificate_is_added_and_the_old_one_departs_then_goes_after_7_days() {
        let (old, new) = (IDP.to_owned(), IDP2.to_owned());
        let first = merge_certificates(
            std::slice::from_ref(&old),
            std::slice::from_ref(&new),
            &[],
            now(),
        );
        assert_eq!(first.certificates, vec![old.clone(), new.clone()]);
        assert_eq!(first.added, vec![fp(&new)]);
        assert_eq!(first.departed, vec![fp(&old)]);
        assert!(first.changes_set());

        let both = [old.clone(), new.clone()];
        let six_days = [(fp(&old), now())];
        let later = merge_certificates(
            &both,
            std::slice::from_ref(&new),
            &six_days,
            now() + 6 * DAY,
        );
        assert_eq!(later.certificates, both.to_vec());
        assert!(!later.is_news(), "{later:?}");

        let gone = merge_certificates(
            &both,
            std::slice::from_ref(&new),
            &six_days,
            now() + 7 * DAY,
        );
        assert_eq!(gone.certificates, vec![new.clone()]);
        assert_eq!(gone.removed, vec![fp(&old)]);
    }

    #[test]
    fn a_departed_certificate_that_comes_back_is_kept() {
        let cert = IDP.to_owned();
        let departed = [(fp(&cert), now() - DAY)];
        let back = merge_certificates(
            std::slice::from_ref(&cert),
            std::slice::from_ref(&cert),
            &departed,
            now(),
        );
        assert_eq!(back.certificates, vec![cert.clone()]);
        assert_eq!(back.returned, vec![fp(&cert)]);
        assert!(!back.changes_set());
    }

    #[test]
    fn the_same_certificate_in_another_encoding_is_not_added_twice() {
        let pem = OTHER.to_owned();
        let bare: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let merge = merge_certificates(std::slice::from_ref(&pem), &[bare], &[], now());
        assert_eq!(merge.certificates, vec![pem]);
        assert!(!merge.is_news());
    }

    #[test]
    fn unparsable_fetched_certificates_are_ignored() {
        let pem = IDP.to_owned();
        let merge = merge_certificates(std::slice::from_ref(&pem), &["AAAA".into()], &[], now());
        assert_eq!(merge.certificates, vec![pem.clone()]);
        assert_eq!(merge.departed, vec![fp(&pem)]);
    }
}
