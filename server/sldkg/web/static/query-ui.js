// The SPARQL query UI: YASGUI on this server's endpoint, the canned queries as tabs.
// Loaded from a static file (the Content-Security-Policy allows no inline script).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("yasgui");
  if (!root || typeof Yasgui === "undefined") return;
  var examples = JSON.parse(document.getElementById("canned-queries").textContent || "[]");
  var endpoint = root.dataset.endpoint;
  var yasgui = new Yasgui(root, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    // Only the local autocompleters: the remote ones (LOV, prefix.cc) would contact other hosts.
    yasqe: { autocompleters: ["variables"] },
  });
  examples.forEach(function (example) {
    yasgui.addTab(false, Object.assign({}, Yasgui.Tab.getDefaults(), {
      name: example.title,
      yasqe: { value: example.query },
      requestConfig: { endpoint: endpoint, method: "POST" },
    }));
  });
  window.sldkgYasgui = yasgui;
});
