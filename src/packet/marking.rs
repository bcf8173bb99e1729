//! A packet's protective marking, rolled up like a classification banner:
//! at least as high as its own `marking` and the highest of its briefs',
//! by the order `[project] markings` lists (lowest first). The one place
//! this rule lives; every edition of the packet prints what it gives.

use crate::config::official::rank;
use crate::diag::{Diagnostic, quote};

/// The packet's marking and the warnings about markings the order does
/// not know. `own` is the packet's `marking`; `briefs` each brief's.
///
/// With an order, the highest rank wins (the packet's own on a tie); a
/// marking the order does not list ranks above every listed one, so an
/// unknown word never lowers a packet. Without an order, the packet's own
/// marking wins, else the briefs' when they agree, else the first brief's
/// with a warning that they differ.
pub fn roll_up(
    packet: &str,
    order: &[String],
    own: Option<&str>,
    briefs: &[(&str, Option<&str>)],
) -> (Option<String>, Vec<Diagnostic>) {
    let mut warnings = Vec::new();
    let mut candidates: Vec<&str> = own.into_iter().collect();
    candidates.extend(briefs.iter().filter_map(|(_, m)| *m));
    if candidates.is_empty() {
        return (None, warnings);
    }
    if order.is_empty() {
        if let Some(own) = own {
            return (Some(own.to_string()), warnings);
        }
        let first = candidates[0];
        if candidates
            .iter()
            .any(|m| !m.trim().eq_ignore_ascii_case(first.trim()))
        {
            warnings.push(
                Diagnostic::warning(format!(
                    "packet {}: its briefs carry different markings; the packet is marked {}",
                    quote(packet),
                    quote(first)
                ))
                .with_hint(
                    "give the packet its own `marking`, or list the order in [project] markings",
                ),
            );
        }
        return (Some(first.to_string()), warnings);
    }
    let unknown = order.len();
    for m in &candidates {
        if rank(order, m).is_none() {
            warnings.push(
                Diagnostic::warning(format!(
                    "packet {}: marking {} is not in [project] markings; it counts as the highest",
                    quote(packet),
                    quote(m)
                ))
                .with_hint(format!("markings: {}", order.join(", "))),
            );
        }
    }
    // The first of the highest: the packet's own wins a tie.
    let mut best = candidates[0];
    for m in &candidates[1..] {
        if rank(order, m).unwrap_or(unknown) > rank(order, best).unwrap_or(unknown) {
            best = m;
        }
    }
    (Some(best.to_string()), warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> Vec<String> {
        ["Public", "For official use", "Confidential"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn a_packet_is_marked_as_high_as_its_highest_brief() {
        let (m, w) = roll_up(
            "p",
            &order(),
            Some("For official use"),
            &[("a", Some("Public")), ("b", Some("confidential"))],
        );
        assert_eq!(m.as_deref(), Some("confidential"));
        assert!(w.is_empty());
        let (m, _) = roll_up(
            "p",
            &order(),
            Some("Confidential"),
            &[("a", Some("Public"))],
        );
        assert_eq!(m.as_deref(), Some("Confidential"));
        let (m, _) = roll_up("p", &order(), None, &[("a", None)]);
        assert_eq!(m, None);
    }

    #[test]
    fn an_unknown_marking_never_lowers_the_packet() {
        let (m, w) = roll_up("p", &order(), Some("Public"), &[("a", Some("Eyes only"))]);
        assert_eq!(m.as_deref(), Some("Eyes only"));
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn without_an_order_the_packet_says_or_the_briefs_agree() {
        let (m, _) = roll_up("p", &[], Some("Restricted"), &[("a", Some("Public"))]);
        assert_eq!(m.as_deref(), Some("Restricted"));
        let (m, w) = roll_up(
            "p",
            &[],
            None,
            &[("a", Some("Public")), ("b", Some("Secret"))],
        );
        assert_eq!(m.as_deref(), Some("Public"));
        assert_eq!(w.len(), 1);
    }
}
