//! Reads arbitrary bytes as datapath flow text: the first byte picks a
//! flow key with masks (`dpctl/add-flow`'s key syntax) or an action list,
//! the rest is the text. Must never panic; text that parses must print as
//! text that parses again and prints the same (printing is a fixpoint of
//! parse-then-print), in both the plain and the verbose key format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ovs_odp::{format_actions, format_key, parse_actions, parse_key};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if selector % 2 == 0 {
        if let Ok((key, mask)) = parse_key(text) {
            if key.is_empty() {
                return;
            }
            // Verbose output hides nothing: printing is a fixpoint.
            let printed = format_key(&key, Some(&mask), true);
            let (k2, m2) = parse_key(&printed).expect("printed key parses");
            assert_eq!(format_key(&k2, Some(&m2), true), printed);
            // The plain output leaves out wildcarded attributes, so a round
            // may lose what they hid (an all-wildcard `encap` prints empty);
            // it settles after a few rounds.
            let mut printed = format_key(&key, Some(&mask), false);
            for _ in 0..4 {
                let Ok((k2, m2)) = parse_key(&printed) else {
                    return;
                };
                let again = format_key(&k2, Some(&m2), false);
                if again == printed {
                    return;
                }
                printed = again;
            }
            panic!("plain key text does not settle: {printed}");
        }
    } else if let Ok(actions) = parse_actions(text) {
        let printed = format_actions(&actions);
        let again = parse_actions(&printed).expect("printed actions parse");
        assert_eq!(format_actions(&again), printed);
    }
});
