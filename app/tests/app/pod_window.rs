//! The Pod window, as a person uses it: name the image the cluster pulls,
//! then save the Pod with the module as that image. (The folder dialog is a
//! native one: the story answers it as the app does, with `save_pod`.)

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use wasmscope::gui::WasmscopeApp;

use super::ui_stories::{app, open_sample, settle, step_until};

const SAVE: &str = "Save Pod + OCI image…";

#[test]
fn name_the_image_then_save_the_pod_and_the_image_it_names() {
    let mut harness = app();
    open_sample(&mut harness, "Write to a read-only mount");
    step_until(&mut harness, "the module to load", |app| app.session.module.is_some() && !app.session.is_loading());
    harness.get_by_label("Profile").click();
    settle(&mut harness);
    harness.get_by_label("Export as a Kubernetes Pod (runwasi)…").click();
    settle(&mut harness);

    // No image named yet: nothing to save it as.
    assert!(harness.get_by_role_and_label(Role::Button, SAVE).accesskit_node().is_disabled());
    harness.get_by_label("Name the image the cluster pulls to save it with the Pod.");

    // A name no registry takes says why, and still cannot be saved.
    type_image(&mut harness, "Registry.example/App:1");
    settle(&mut harness);
    assert!(harness.get_by_role_and_label(Role::Button, SAVE).accesskit_node().is_disabled());
    assert!(harness.query_by_label_contains("is not an image name").is_some());

    // Opened afresh, the window takes a good name.
    harness.state_mut().profile_windows = Default::default();
    harness.get_by_label("Profile").click();
    settle(&mut harness);
    harness.get_by_label("Export as a Kubernetes Pod (runwasi)…").click();
    settle(&mut harness);
    type_image(&mut harness, "registry.example/readonly:1");
    settle(&mut harness);
    assert!(!harness.get_by_role_and_label(Role::Button, SAVE).accesskit_node().is_disabled());
    assert!(harness.query_by_label_contains("image: registry.example/readonly:1").is_some());

    // The folder chosen, the app writes both and says where.
    let dir = tempfile::tempdir().unwrap();
    let image = "registry.example/readonly:1".parse().unwrap();
    harness.state_mut().save_pod(dir.path(), &image);
    settle(&mut harness);
    let notice = harness.state().session.notice.clone().expect("a notice");
    assert!(!notice.error, "{}", notice.text);
    assert!(notice.text.contains("registry.example/readonly:1") && notice.text.contains("sha256:"), "{}", notice.text);
    let yaml = std::fs::read_to_string(dir.path().join("pod.yaml")).unwrap();
    assert!(yaml.contains("image: registry.example/readonly:1"), "{yaml}");
    let index = std::fs::read_to_string(dir.path().join("oci-image/index.json")).unwrap();
    assert!(index.contains("\"org.opencontainers.image.ref.name\":\"registry.example/readonly:1\""), "{index}");
}

/// Types `name` into the Image field, as a person does: click it, then type.
fn type_image(harness: &mut Harness<'static, WasmscopeApp>, name: &str) {
    harness.get_by_role_and_label(Role::TextInput, "Image").click();
    settle(harness);
    harness.get_by_role_and_label(Role::TextInput, "Image").type_text(name);
    settle(harness);
}
