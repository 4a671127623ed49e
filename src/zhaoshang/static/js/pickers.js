/* Searchable pickers: people, enterprises, units and projects are long lists, so every
 * <select multiple> and every <select> with many options becomes a Tom Select box
 * (type part of a name to filter). A select marked data-native="true" stays plain.
 * Loaded on every page by base.html; no inline script (CSP default-src 'self'). */
(function () {
  "use strict";
  var MANY = 12;

  function enhance(select) {
    if (select.tomselect || select.dataset.native === "true") return;
    if (!select.multiple && select.options.length < MANY) return;
    var settings = {
      maxOptions: null,
      allowEmptyOption: true,
      hidePlaceholder: false,
      plugins: select.multiple ? ["remove_button"] : [],
      render: {
        no_results: function () {
          return '<div class="no-results">' + (select.dataset.noResults || "—") + "</div>";
        },
      },
    };
    new TomSelect(select, settings); // eslint-disable-line no-new
  }

  function enhanceAll(root) {
    if (typeof TomSelect === "undefined") return;
    root.querySelectorAll("select").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceAll(document);
    document.querySelectorAll('input[type="date"]:not([lang])').forEach(function (input) {
      input.setAttribute("lang", "zh-CN");
    });
  });
})();
