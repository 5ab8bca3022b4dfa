//! The Capabilities panel: every field of the sandbox profile for the next
//! run, with on/off chips that can be read from the back of a room.

use std::path::PathBuf;
use std::time::Duration;

use egui::{RichText, Ui};
use runtime_worker::{
    ClockPolicy, Limits, Mount, NetworkPolicy, PartProfile, RandomPolicy, SandboxProfile, StdinSource,
};

use super::file_dialog::DialogPurpose;
use super::intent::Intent;
use super::theme::{self, font};
use super::widgets::chip;
use crate::samples;

/// `component`: the loaded module is a component, whose sockets the
/// network policy governs (a core module has none).
/// `parts`: a composed component's inner components (`#0 database-connector`),
/// which may each be given capabilities of their own.
pub fn ui(
    ui: &mut Ui,
    profile: &mut SandboxProfile,
    running: bool,
    component: bool,
    parts: &[String],
) -> Option<Intent> {
    chips(ui, profile);
    let mut intent = None;
    if running {
        ui.label(RichText::new("Changes apply to the next run.").color(theme::tokens(ui).muted_text));
    }
    ui.separator();
    egui::ScrollArea::vertical().id_salt("capabilities-scroll").show(ui, |ui| {
        section(ui, "Files", |ui| intent = files(ui, profile));
        section(ui, "Environment", |ui| environment(ui, profile));
        section(ui, "Clocks", |ui| clocks(ui, &mut profile.clocks));
        section(ui, "Network", |ui| network(ui, profile, component));
        section(ui, "Arguments", |ui| arguments(ui, &mut profile.args));
        section(ui, "Stdin", |ui| stdin(ui, &mut profile.stdin));
        section(ui, "Random", |ui| random(ui, &mut profile.random));
        section(ui, "Limits", |ui| limits(ui, &mut profile.limits));
        if !parts.is_empty() || !profile.parts.is_empty() {
            section(ui, "Per part", |ui| per_part(ui, profile, parts));
        }
    });
    intent
}

/// Least privilege per inner component: a part given capabilities of its
/// own gets only the folders, environment and network ticked here, always
/// a subset of the run's (kept so every frame: a folder the run drops, or
/// makes read-only, goes or turns read-only for the part too); clocks and
/// randomness follow the run's.
fn per_part(ui: &mut Ui, profile: &mut SandboxProfile, parts: &[String]) {
    ui.label(
        RichText::new("A composed component's parts get the run's capabilities, unless given their own here.")
            .color(theme::tokens(ui).muted_text),
    );
    let run = SandboxProfile { parts: Vec::new(), ..profile.clone() };
    for part in &mut profile.parts {
        narrow_to(&mut part.profile, &run);
    }
    for label in parts {
        let name = label.split_once(' ').map_or(label.as_str(), |(_, name)| name);
        let at = profile.parts.iter().position(|p| p.names(label));
        let mut own = at.is_some();
        if ui.checkbox(&mut own, format!("{label}: only what is ticked")).changed() {
            match at {
                Some(at) if !own => {
                    profile.parts.remove(at);
                }
                None if own => profile.parts.push(PartProfile { part: name.to_string(), profile: run.clone() }),
                _ => {}
            }
        }
        let Some(part) = profile.parts.iter_mut().find(|p| p.names(label)) else { continue };
        ui.indent(label, |ui| {
            for mount in &run.mounts {
                let mut granted = part.profile.mounts.iter().any(|m| m.guest == mount.guest);
                let access = if mount.read_only { "read-only" } else { "read-write" };
                if ui.checkbox(&mut granted, format!("{} ({access})", mount.guest)).changed() {
                    part.profile.mounts.retain(|m| m.guest != mount.guest);
                    if granted {
                        part.profile.mounts.push(mount.clone());
                    }
                }
            }
            let mut env = !part.profile.env.is_empty();
            if ui.add_enabled(!run.env.is_empty(), egui::Checkbox::new(&mut env, "the run's environment")).changed() {
                part.profile.env = if env { run.env.clone() } else { Default::default() };
            }
            let mut network = !part.profile.network.is_off();
            if ui.add_enabled(!run.network.is_off(), egui::Checkbox::new(&mut network, "the run's network")).changed() {
                part.profile.network = if network { run.network.clone() } else { NetworkPolicy::Off };
            }
        });
    }
    // Entries for parts this module does not have (a profile kept from
    // another module): they would make every run fail, so say so.
    let mut unknown = None;
    for (i, part) in profile.parts.iter().enumerate() {
        if !parts.iter().any(|label| part.names(label)) {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(format!("No part `{}` in this module", part.part))
                        .color(theme::tokens(ui).error_text),
                );
                if ui.button("Remove").clicked() {
                    unknown = Some(i);
                }
            });
        }
    }
    if let Some(i) = unknown {
        profile.parts.remove(i);
    }
}

/// Keeps a part's capabilities within the run's: its folders among the
/// run's (with the run's access), its environment and network the run's or
/// none; clocks, randomness and DNS as the run's.
fn narrow_to(part: &mut SandboxProfile, run: &SandboxProfile) {
    part.mounts = run.mounts.iter().filter(|m| part.mounts.iter().any(|p| p.guest == m.guest)).cloned().collect();
    if !part.env.is_empty() {
        part.env = run.env.clone();
    }
    part.network = if part.network.is_off() { NetworkPolicy::Off } else { run.network.clone() };
    part.dns = run.dns && !part.network.is_off();
    part.clocks = run.clocks;
    part.random = run.random;
}

fn section(ui: &mut Ui, title: &str, body: impl FnOnce(&mut Ui)) {
    egui::CollapsingHeader::new(RichText::new(title).strong().size(font::LEAD)).default_open(true).show(ui, body);
}

fn chips(ui: &mut Ui, profile: &SandboxProfile) {
    ui.horizontal_wrapped(|ui| {
        let mounts = profile.mounts.len();
        let files = match mounts {
            0 => "Files".to_string(),
            1 => "Files (1 mount)".to_string(),
            n => format!("Files ({n} mounts)"),
        };
        let mount_list: Vec<String> = profile
            .mounts
            .iter()
            .map(|m| format!("{} -> {}{}", m.host.display(), m.guest, if m.read_only { " (read-only)" } else { "" }))
            .collect();
        let files_tip =
            if mount_list.is_empty() { "No directory is granted".to_string() } else { mount_list.join("\n") };
        chip(ui, &files, mounts > 0, &files_tip);
        let network = match &profile.network {
            NetworkPolicy::Off => "Network",
            NetworkPolicy::Loopback => "Network (loopback)",
            NetworkPolicy::AllowList(_) => "Network (allow-list)",
            NetworkPolicy::All => "Network (all)",
        };
        chip(ui, network, !profile.network.is_off(), "Sockets (components only)");
        let (clocks, clocks_on) = match profile.clocks {
            ClockPolicy::Real => ("Clocks", true),
            ClockPolicy::Frozen { .. } => ("Clocks (frozen)", true),
            ClockPolicy::Denied => ("Clocks", false),
        };
        chip(ui, clocks, clocks_on, "Reading the wall and monotonic clocks");
        let env = if profile.env.inherit_host {
            "Env (host's!)".to_string()
        } else if profile.env.vars.is_empty() {
            "Env".to_string()
        } else {
            format!("Env ({})", profile.env.vars.len())
        };
        chip(ui, &env, !profile.env.is_empty(), "Environment variables");
        let stdin_on = profile.stdin != StdinSource::Empty;
        chip(ui, "Stdin", stdin_on, "Input for the guest");
        let limits = &profile.limits;
        let limited = limits.max_memory_bytes.is_some() || limits.fuel.is_some() || limits.timeout.is_some();
        chip(ui, "Limits", limited, "Memory cap, fuel, timeout");
    });
}

/// Adds a mount for `path`, seen by the guest under its folder name.
pub fn add_mount(profile: &mut SandboxProfile, path: PathBuf) {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "dir".into());
    let mut guest = format!("/{name}");
    let mut n = 2;
    while profile.mounts.iter().any(|m| m.guest == guest) {
        guest = format!("/{name}{n}");
        n += 1;
    }
    profile.mounts.push(Mount { host: path, guest, read_only: true });
}

/// The mounts, each editable; asks for a folder to add.
fn files(ui: &mut Ui, profile: &mut SandboxProfile) -> Option<Intent> {
    let t = theme::tokens(ui);
    if profile.mounts.is_empty() {
        ui.label(
            RichText::new("No directory is granted: every path the guest asks for is refused.").color(t.muted_text),
        );
    }
    let mut remove = None;
    for (i, mount) in profile.mounts.iter_mut().enumerate() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_max_width(ui.available_width());
            ui.add(egui::Label::new(RichText::new(mount.host.display().to_string()).monospace()).truncate())
                .on_hover_text(mount.host.display().to_string());
            ui.horizontal(|ui| {
                let label = ui.label("as");
                ui.add(
                    egui::TextEdit::singleline(&mut mount.guest).desired_width(120.0).font(egui::TextStyle::Monospace),
                )
                .labelled_by(label.id)
                .on_hover_text("The path the guest sees");
                ui.checkbox(&mut mount.read_only, "read-only");
                if ui.button("✖").on_hover_text("Remove this mount").clicked() {
                    remove = Some(i);
                }
            });
            if !mount.host.is_dir() {
                ui.label(RichText::new("⚠ this folder does not exist").color(t.warning_text));
            }
        });
    }
    if let Some(i) = remove {
        profile.mounts.remove(i);
    }
    let mut intent = None;
    ui.horizontal(|ui| {
        if ui.button("+ Add folder…").clicked() {
            intent = Some(Intent::OpenDialog(DialogPurpose::AddMount));
        }
        let sample_data = &samples::sample_data().data;
        let has_sample = profile.mounts.iter().any(|m| &m.host == sample_data);
        if !has_sample && ui.button("+ Sample data as /data").on_hover_text(sample_data.display().to_string()).clicked()
        {
            profile.mounts.push(Mount::read_only(sample_data.clone(), "/data"));
        }
    });
    intent
}

fn environment(ui: &mut Ui, profile: &mut SandboxProfile) {
    let t = theme::tokens(ui);
    ui.checkbox(&mut profile.env.inherit_host, "Inherit the host's environment");
    if profile.env.inherit_host {
        ui.label(
            RichText::new("⚠ The guest sees every host variable, tokens and secrets included.")
                .color(t.warning_text)
                .strong(),
        );
    }
    let mut remove = None;
    for (i, (name, value)) in profile.env.vars.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(name)
                    .hint_text("NAME")
                    .desired_width(110.0)
                    .font(egui::TextStyle::Monospace),
            );
            ui.label("=");
            ui.add(
                egui::TextEdit::singleline(value)
                    .hint_text("value")
                    .desired_width(130.0)
                    .font(egui::TextStyle::Monospace),
            );
            if ui.button("✖").on_hover_text("Remove this variable").clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        profile.env.vars.remove(i);
    }
    if ui.button("+ Add variable").clicked() {
        profile.env.vars.push((String::new(), String::new()));
    }
}

fn clocks(ui: &mut Ui, clocks: &mut ClockPolicy) {
    ui.horizontal(|ui| {
        ui.radio_value(clocks, ClockPolicy::Real, "Real");
        let frozen = matches!(clocks, ClockPolicy::Frozen { .. });
        if ui.radio(frozen, "Frozen").clicked() && !frozen {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            *clocks = ClockPolicy::Frozen { unix_nanos: now.as_secs() * 1_000_000_000 };
        }
        ui.radio_value(clocks, ClockPolicy::Denied, "Denied");
    });
    if let ClockPolicy::Frozen { unix_nanos } = clocks {
        let mut seconds = *unix_nanos / 1_000_000_000;
        ui.horizontal(|ui| {
            let label = ui.label("at Unix time");
            ui.add(egui::DragValue::new(&mut seconds).speed(3600.0).suffix(" s")).labelled_by(label.id);
        });
        *unix_nanos = seconds * 1_000_000_000;
    }
}

fn network(ui: &mut Ui, profile: &mut SandboxProfile, component: bool) {
    let t = theme::tokens(ui);
    let network = &mut profile.network;
    ui.horizontal_wrapped(|ui| {
        ui.radio_value(network, NetworkPolicy::Off, "Off");
        ui.radio_value(network, NetworkPolicy::Loopback, "Loopback");
        if ui.radio(matches!(network, NetworkPolicy::AllowList(_)), "Allow-list").clicked()
            && !matches!(network, NetworkPolicy::AllowList(_))
        {
            *network = NetworkPolicy::AllowList(Vec::new());
        }
        ui.radio_value(network, NetworkPolicy::All, "All");
    });
    if let NetworkPolicy::AllowList(patterns) = network {
        let mut text = patterns.join("\n");
        let label = ui.label("host:port patterns, one per line");
        if ui
            .add(egui::TextEdit::multiline(&mut text).desired_rows(2).hint_text("127.0.0.1:8080\n*.example.com:443"))
            .labelled_by(label.id)
            .changed()
        {
            *patterns = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
        }
        for pattern in patterns.iter() {
            if let Err(problem) = runtime_worker::sandbox::network::AddrPattern::parse(pattern) {
                ui.add(egui::Label::new(RichText::new(problem).small().color(t.error_text)).wrap());
            }
        }
    }
    let network_on = !profile.network.is_off();
    ui.add_enabled(network_on, egui::Checkbox::new(&mut profile.dns, "DNS lookups"))
        .on_hover_text("Let the guest resolve host names (wasi:sockets/ip-name-lookup)");
    let note = if component {
        "Applies to this component's sockets: every address it binds, connects or sends to is checked, and a \
         refusal shows in Calls with the address and the rule."
    } else {
        "Core (preview1) modules cannot open sockets; socket calls on any descriptor are denials while the network \
         is off. The policy applies in full to components."
    };
    ui.add(egui::Label::new(RichText::new(note).small().color(t.muted_text)).wrap());
}

fn arguments(ui: &mut Ui, args: &mut Vec<String>) {
    // The text box keeps what is typed (a trailing space, an open quote)
    // while the profile keeps the words; an outside change wins.
    let id = ui.make_persistent_id("args-text");
    let mut text = ui
        .data_mut(|d| d.get_temp::<String>(id))
        .filter(|text| split_args(text) == *args)
        .unwrap_or_else(|| join_args(args));
    let label = ui.label("After the program name; quote words with spaces");
    ui.add(
        egui::TextEdit::singleline(&mut text)
            .hint_text("--verbose \"two words\"")
            .desired_width(f32::INFINITY)
            .font(egui::TextStyle::Monospace),
    )
    .labelled_by(label.id);
    *args = split_args(&text);
    ui.data_mut(|d| d.insert_temp(id, text));
}

fn stdin(ui: &mut Ui, stdin: &mut StdinSource) {
    ui.horizontal(|ui| {
        ui.radio_value(stdin, StdinSource::Empty, "Empty");
        if ui.radio(matches!(stdin, StdinSource::Fixed(_)), "Text").clicked() && !matches!(stdin, StdinSource::Fixed(_))
        {
            *stdin = StdinSource::Fixed(Vec::new());
        }
        ui.radio_value(stdin, StdinSource::Interactive, "Interactive");
    });
    match stdin {
        StdinSource::Fixed(bytes) => match String::from_utf8(bytes.clone()) {
            Ok(mut text) => {
                let label = ui.label("The guest reads this, then end-of-file");
                if ui.add(egui::TextEdit::multiline(&mut text).desired_rows(3)).labelled_by(label.id).changed() {
                    *bytes = text.into_bytes();
                }
            }
            Err(_) => {
                ui.label(format!("{} bytes of binary input", bytes.len()));
            }
        },
        StdinSource::Interactive => {
            ui.label(RichText::new("Type into the Console while the guest runs.").small());
        }
        StdinSource::Empty => {}
    }
}

fn random(ui: &mut Ui, random: &mut RandomPolicy) {
    ui.horizontal(|ui| {
        ui.radio_value(random, RandomPolicy::System, "System");
        if ui.radio(matches!(random, RandomPolicy::Seeded(_)), "Seeded").clicked()
            && !matches!(random, RandomPolicy::Seeded(_))
        {
            *random = RandomPolicy::Seeded(42);
        }
        if let RandomPolicy::Seeded(seed) = random {
            ui.add(egui::DragValue::new(seed)).on_hover_text("Every run with this seed sees the same random bytes");
        }
    });
}

fn limits(ui: &mut Ui, limits: &mut Limits) {
    egui::Grid::new("limits-grid").num_columns(2).show(ui, |ui| {
        let mut capped = limits.max_memory_bytes.is_some();
        ui.checkbox(&mut capped, "Max memory");
        let mut mib = limits.max_memory_bytes.map_or(64, |b| b >> 20);
        ui.add_enabled(capped, egui::DragValue::new(&mut mib).range(1..=65536).suffix(" MiB"));
        limits.max_memory_bytes = capped.then_some(mib << 20);
        ui.end_row();

        let mut fueled = limits.fuel.is_some();
        ui.checkbox(&mut fueled, "Fuel");
        let mut fuel = limits.fuel.unwrap_or(10_000_000);
        ui.add_enabled(fueled, egui::DragValue::new(&mut fuel).speed(100_000.0).suffix(" instr."));
        limits.fuel = fueled.then_some(fuel);
        ui.end_row();

        let mut timed = limits.timeout.is_some();
        ui.checkbox(&mut timed, "Timeout");
        let mut seconds = limits.timeout.map_or(10.0, |d| d.as_secs_f64());
        ui.add_enabled(timed, egui::DragValue::new(&mut seconds).range(0.01..=86_400.0).speed(0.1).suffix(" s"));
        limits.timeout = timed.then(|| Duration::from_secs_f64(seconds));
        ui.end_row();

        let mut output_capped = limits.max_output_bytes.is_some();
        ui.checkbox(&mut output_capped, "Output kept");
        let mut output_mib = limits.max_output_bytes.map_or(8, |b| (b >> 20).max(1));
        ui.add_enabled(output_capped, egui::DragValue::new(&mut output_mib).range(1..=1024).suffix(" MiB/stream"));
        limits.max_output_bytes = output_capped.then_some(output_mib << 20);
        ui.end_row();
    });
}

/// Words separated by spaces; double quotes group words, `\"` is a quote.
pub fn split_args(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
                in_word = true;
            }
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    args.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            c => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        args.push(current);
    }
    args
}

pub fn join_args(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if a.is_empty() || a.chars().any(|c| c.is_whitespace() || c == '"') {
                format!("\"{}\"", a.replace('"', "\\\""))
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_split_like_a_shell_would() {
        assert_eq!(split_args("a  b"), ["a", "b"]);
        assert_eq!(split_args("--name \"two words\" x"), ["--name", "two words", "x"]);
        assert_eq!(split_args("say \\\"hi\\\""), ["say", "\"hi\""]);
        assert_eq!(split_args("\"\""), [""]);
        let args = vec!["a".to_string(), "two words".into(), "".into(), "q\"uote".into()];
        assert_eq!(split_args(&join_args(&args)), args);
    }

    #[test]
    fn added_folders_get_distinct_guest_paths() {
        let mut profile = SandboxProfile::default();
        add_mount(&mut profile, PathBuf::from("/home/me/data"));
        add_mount(&mut profile, PathBuf::from("/other/data"));
        let guests: Vec<_> = profile.mounts.iter().map(|m| m.guest.as_str()).collect();
        assert_eq!(guests, ["/data", "/data2"]);
        assert!(profile.mounts[0].read_only, "a new mount starts read-only: grant writes on purpose");
    }

    #[test]
    fn a_part_never_keeps_more_than_the_run_grants() {
        let run = SandboxProfile {
            mounts: vec![Mount::read_only("/srv/data", "/data")],
            network: NetworkPolicy::Off,
            ..SandboxProfile::default()
        };
        let mut part = SandboxProfile {
            mounts: vec![Mount::read_write("/srv/data", "/data"), Mount::read_write("/tmp/out", "/out")],
            network: NetworkPolicy::All,
            ..SandboxProfile::default()
        };
        narrow_to(&mut part, &run);
        assert_eq!(part.mounts, vec![Mount::read_only("/srv/data", "/data")], "the run's access, the run's folders");
        assert!(part.network.is_off());
    }
}
