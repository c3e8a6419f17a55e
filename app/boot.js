// The engine starts first. tools/boot.mjs inlines this classic script at the top of the built
// index.html (GLUE and WASM become Trunk's hashed file names), before anything else loads:
// it fetches and compiles the wasm once (streaming, off the main thread) and starts the
// engine worker at once, so the worker loads the glue while the wasm downloads, gets the
// compiled WebAssembly.Module as soon as there is one and builds the cluster while the page
// instantiates the same Module and mounts. The worker fetches its data files itself: the
// bundle (lessons, add-ons) at once, the API documentation once it has answered a request. `self.kubeplayBoot` hands both to the page: the
// loader's `init` takes `module`; `worker::boot` (app/src/worker.rs) takes the worker and the
// messages it sent before the page listened.
(() => {
  const boot = { module: null, worker: null, early: [], error: null };
  self.kubeplayBoot = boot;
  const wasm = 'WASM';
  const compile = WebAssembly.compileStreaming
    ? () => WebAssembly.compileStreaming(fetch(wasm))
    : () => fetch(wasm).then((r) => r.arrayBuffer()).then((b) => WebAssembly.compile(b));
  boot.module = compile();
  // The worker: this same wasm module, whose `main` sees no window and does nothing. Requests
  // and replies are JSON text (app/src/protocol.rs); each request's time shows in the
  // worker's performance timeline as an `engine …` measure.
  function engineWorker() {
    let handle = null;
    let followUp = null;
    let glue = null;
    let bundle = null;
    let explain = null;
    let engine = null;
    const early = [];
    const crash = (why) => self.postMessage(JSON.stringify({ crash: String(why) }));
    const fetchText = (url) => fetch(url).then((r) => (r.ok ? r.text() : Promise.reject(new Error(url + ': HTTP ' + r.status))));
    function install(bindings, file, data) {
      const why = bindings.engine_install(file, data);
      if (why) console.warn(file + ': ' + why);
    }
    function answer(text) {
      const start = performance.now();
      const kind = (/"request":\{?"(\w+)"(?::\{"(\w+)")?/.exec(text.slice(0, 48)) || []).slice(1).join(' ');
      try {
        const reply = handle(text);
        if (reply) self.postMessage(reply);
        performance.measure('engine ' + kind, { start });
        const more = followUp();
        if (more) {
          self.postMessage(more);
          performance.measure('engine ' + kind + ' + board', { start });
        }
        if (explain) {
          const url = explain;
          explain = null;
          fetchText(url).then((docs) => install(engine, 'explain', docs), (e) => console.warn('kubectl explain is unavailable: ' + e));
        }
      } catch (e) {
        handle = () => '';
        followUp = () => '';
        crash((e && e.message) || e);
      }
    }
    async function start(module) {
      try {
        const bindings = await glue;
        performance.mark('engine glue loaded');
        await bindings.default({ module_or_path: module });
        performance.mark('engine instantiated');
        bindings.engine_boot();
        performance.mark('engine ready');
        const lessons = await bundle;
        if (lessons !== null) install(bindings, 'bundle', lessons);
        performance.mark('engine bundle installed');
        engine = bindings;
        handle = bindings.engine_handle;
        followUp = bindings.engine_follow_up;
      } catch (e) {
        crash('the engine worker could not start: ' + ((e && e.message) || e));
        return;
      }
      for (const text of early.splice(0)) answer(text);
    }
    self.onmessage = (event) => {
      const data = event.data;
      if (typeof data === 'string') {
        if (handle) answer(data);
        else early.push(data);
      } else if (data && data.glue) {
        glue = import(data.glue);
        glue.catch(() => {});
        bundle = fetchText(data.bundle).catch((e) => {
          console.warn('lessons and add-ons are unavailable: ' + e);
          return null;
        });
        explain = data.explain;
      } else if (data && data.module) {
        start(data.module);
      }
    };
  }
  try {
    const source = new Blob(['(' + engineWorker + ')()'], { type: 'text/javascript' });
    // The URL is not revoked: the worker may fetch it after this returns.
    const worker = new Worker(URL.createObjectURL(source), { type: 'module' });
    worker.onmessage = (event) => boot.early.push(event.data);
    worker.onerror = (event) => {
      boot.error = event.message || 'error';
    };
    const url = (path) => new URL(path, document.baseURI).href;
    worker.postMessage({ glue: url('GLUE'), bundle: url('bundle.json'), explain: url('explain.json') });
    boot.module.then((module) => worker.postMessage({ module }), () => {});
    boot.worker = worker;
  } catch (e) {
    // No module workers: the page runs the engine itself.
  }
})();
