//! The window's icon: `assets/icon.rgba`, drawn by `assets/make_icon.py`
//! (which also writes `icon.png`, to look at). Raw pixels, because the
//! app has no PNG decoder (eframe's `icon_data::from_png_bytes` needs its
//! `image` feature, a dependency we do not otherwise build).

use std::sync::Arc;

/// Width and height, in pixels.
const SIZE: u32 = 64;
/// Invariant: `SIZE * SIZE` pixels, 4 bytes each (RGBA, unpremultiplied),
/// row by row from the top (the test below holds it).
const RGBA: &[u8] = include_bytes!("../../../assets/icon.rgba");

pub fn window_icon() -> Arc<egui::IconData> {
    Arc::new(egui::IconData { rgba: RGBA.to_vec(), width: SIZE, height: SIZE })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icon_is_a_square_of_pixels_with_a_see_through_corner() {
        let icon = window_icon();
        assert_eq!(icon.rgba.len(), (icon.width * icon.height * 4) as usize);
        let alpha = |x: u32, y: u32| icon.rgba[((y * icon.width + x) * 4 + 3) as usize];
        assert_eq!(alpha(0, 0), 0, "the corner is transparent");
        assert_eq!(alpha(icon.width / 2, icon.height / 2), 255, "the middle is opaque");
    }
}
