//! Which control-plane processes are down. kube-controller-manager and kube-scheduler run
//! as static pods; while one's pod is replaced and not ready yet, removed, or crash-looping
//! (a broken manifest), its loops do nothing, and nothing does while the API server or etcd
//! is down. The kubelet's file source writes it (`node::static_pods`); the controller
//! runtime reads it and holds back those controllers, whose watch cursors wait.

/// A control-plane process that runs controllers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Process {
    /// kube-controller-manager.
    ControllerManager,
    /// kube-scheduler.
    Scheduler,
}

/// The processes down now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ControlPlane {
    down: Vec<Process>,
}

impl ControlPlane {
    /// Whether `process` is down.
    pub fn is_down(&self, process: Process) -> bool {
        self.down.contains(&process)
    }

    /// Records the processes down now.
    pub fn set_down(&mut self, down: Vec<Process>) {
        self.down = down;
    }
}
