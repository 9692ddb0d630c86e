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
  repairAccessibility(root);
  var pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; repairAccessibility(root); });
  }).observe(root, { childList: true, subtree: true });
});

// YASGUI 4.6 leaves a few accessibility faults that axe-core reports as serious or critical; they are
// mended here after every re-render (labels come translated from the template's data attributes):
// the add-tab button inside the tablist, aria-controls pointing at panels that are not rendered,
// tabs without aria-selected, and unlabelled fields (the endpoint box, CodeMirror's input).
function repairAccessibility(root) {
  root.querySelectorAll(".tabsList").forEach(function (list) {
    var add = list.querySelector("button.addTab");
    if (add && add.parentElement && add.parentElement !== list.parentElement) {
      list.parentElement.insertBefore(add.parentElement, list.nextSibling);
    }
    list.querySelectorAll("[role=tab]").forEach(function (tab) {
      var target = tab.getAttribute("aria-controls");
      if (target && !document.getElementById(target)) tab.removeAttribute("aria-controls");
      if (!tab.hasAttribute("aria-selected")) tab.setAttribute("aria-selected", "false");
      tab.querySelectorAll("input").forEach(function (input) {
        if (!input.hasAttribute("aria-label")) input.setAttribute("aria-label", root.dataset.labelTabName || "Tab name");
      });
    });
  });
  root.querySelectorAll("input.autocomplete").forEach(function (input) {
    if (!input.hasAttribute("aria-label")) input.setAttribute("aria-label", root.dataset.labelEndpoint || "SPARQL endpoint");
  });
  root.querySelectorAll(".CodeMirror textarea").forEach(function (area) {
    if (!area.hasAttribute("aria-label")) area.setAttribute("aria-label", root.dataset.labelQuery || "SPARQL query");
  });
}
