/* Dashboards: draw each panel's chart with the vendored ECharts, toggle chart/table,
   sort ranking tables. Chart data comes from json_script elements (the CSP allows no
   inline script); without JavaScript the tables alone show every number. */
(function () {
  "use strict";
  var PALETTE = ["#1f4e8c", "#e07b39", "#3a9d5d", "#c23b3b", "#7b5ea7", "#2aa3b8", "#b8962a", "#6b7280"];

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function axisChart(spec) {
    return {
      color: PALETTE,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", name: spec.unit },
      series: spec.series.map(function (s) {
        return { name: s.name, type: s.kind || "bar", data: s.data, smooth: s.kind === "line" };
      })
    };
  }

  function planChart(spec) {
    var option = axisChart(spec);
    (spec.plan || []).forEach(function (p, i) {
      var target = option.series[i + 1];
      if (target && p.value !== null) {
        target.markLine = {
          symbol: "none",
          data: [{ yAxis: p.value, name: p.name }],
          label: { formatter: p.name, position: "insideEndTop" },
          lineStyle: { type: "dashed" }
        };
      }
    });
    return option;
  }

  function pieChart(spec) {
    return {
      color: PALETTE,
      tooltip: { trigger: "item", formatter: "{b}: {c} (" + "{d}%)" },
      legend: { type: "scroll", bottom: 0 },
      series: [{
        name: spec.series[0].name, type: "pie", radius: ["35%", "65%"], top: 0, bottom: 40,
        data: spec.categories.map(function (name, i) { return { name: name, value: spec.series[0].data[i] }; })
      }]
    };
  }

  // Projects by stage: one horizontal bar per stage, top to bottom in stage order, its count
  // at the end of the bar (readable at a glance, unlike a funnel of non-nested stages).
  function stagesChart(spec) {
    return {
      color: PALETTE,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 10, right: 50, top: 10, bottom: 10, containLabel: true },
      xAxis: { type: "value", name: spec.unit, minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: spec.categories, axisTick: { show: false } },
      series: [{
        name: spec.series[0].name, type: "bar", data: spec.series[0].data, barMaxWidth: 22,
        label: { show: true, position: "right" }
      }]
    };
  }

  var BUILDERS = { bar: axisChart, plan: planChart, pie: pieChart, stages: stagesChart };

  function setMode(panel, showTable) {
    var chart = panel.querySelector(".dash-chart");
    var table = panel.querySelector(".dash-table");
    var button = panel.querySelector("[data-toggle]");
    table.hidden = !showTable;
    chart.hidden = showTable;
    button.textContent = showTable ? button.getAttribute("data-label-chart") : button.getAttribute("data-label-table");
    if (!showTable && chart._chart) { chart._chart.resize(); }
  }

  function drawPanel(panel) {
    var box = panel.querySelector("[data-chart]");
    if (!box || typeof window.echarts === "undefined") { return; }
    var spec = read(box.getAttribute("data-chart"));
    var build = spec && BUILDERS[spec.type];
    if (!build) { return; }
    var button = panel.querySelector("[data-toggle]");
    var tableFirst = panel.hasAttribute("data-table-first");
    box.hidden = false;
    box._chart = window.echarts.init(box, null, { renderer: "canvas" });
    box._chart.setOption(build(spec));
    if (!tableFirst) {  // table-first panels keep the table under the chart
      button.hidden = false;
      setMode(panel, false);
      button.addEventListener("click", function () {
        setMode(panel, panel.querySelector(".dash-table").hidden);
      });
    }
  }

  function sortValue(cell, kind) {
    var raw = cell.getAttribute("data-value");
    if (kind === "text" || raw === null) { return cell.textContent.trim(); }
    return raw === "" ? null : Number(raw);
  }

  function makeSortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, column) {
      function sort() {
        var kind = th.getAttribute("data-sort-kind");
        // numbers: biggest first on the first click (a ranking); ranks and text: ascending
        var ascending = th.getAttribute("aria-sort") === "descending" || (!th.hasAttribute("aria-sort") && (kind === "text" || kind === "rank"));
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = sortValue(a.cells[column], kind), y = sortValue(b.cells[column], kind);
          if (x === null && y === null) { return 0; }
          if (x === null) { return 1; }
          if (y === null) { return -1; }
          var order = typeof x === "number" ? x - y : String(x).localeCompare(String(y), "zh-Hans-CN");
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) { if (event.key === "Enter") { sort(); } });
    });
  }

  document.querySelectorAll("[data-panel]").forEach(drawPanel);
  document.querySelectorAll("table[data-sortable]").forEach(makeSortable);
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart]").forEach(function (box) { if (box._chart) { box._chart.resize(); } });
  });
}());
