//! Entry point of the playground page.

fn main() {
    kubeplay_app::start();
}
