//! Element rows of the settings pane.

use super::*;

#[test]
fn element_rows_show_only_with_elements_and_clearing_one_renumbers_its_tokens() {
    let mut b = Board::starter();
    assert!(
        !SettingField::all(&b)
            .iter()
            .any(|f| matches!(f, SettingField::Element(_)))
    );
    b.elements = vec![
        shotdeck_core::model::ElementRef::new("1", "Detective"),
        shotdeck_core::model::ElementRef::new("2", ""),
    ];
    b.shots[0].prompt = "<<<element_2>>> and <<<element_1>>>".into();
    assert_eq!(SettingField::Element(0).value(&b), "Detective (id 1)");
    assert_eq!(SettingField::Element(1).value(&b), "id 2");
    assert_eq!(
        SettingField::Element(0).path().to_string(),
        "elements[0].id"
    );
    let r = clear(SettingField::Element(0), &mut b).unwrap();
    assert_eq!(b.shots[0].prompt, "<<<element_1>>> and <<<element_0>>>");
    let line = r.summary().unwrap();
    assert!(
        line.starts_with("elements renumbered: <<<element_2>>> → <<<element_1>>>"),
        "{line}"
    );
    assert!(clear(SettingField::Element(5), &mut b).is_err());
}
