//! Entry point of the playground page. The same module also runs in the engine worker
//! (`kubeplay_app::worker`), where there is no window and nothing is mounted.

fn main() {
    if leptos::web_sys::window().is_some() {
        kubeplay_app::start();
    }
}
