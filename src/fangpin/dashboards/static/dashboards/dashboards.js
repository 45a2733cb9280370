/* 数据看板: draws each panel's chart from the page's JSON (json_script "dashboard-data") with the
   bundled ECharts (canvas renderer, no eval). Clicking a bar, a treemap cell or a map area opens
   that sub-region's dashboard. The tables beside the charts carry the same figures. */
(function () {
  "use strict";
  var holder = document.getElementById("dashboard-data");
  if (!holder || typeof echarts === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var byKey = {};
  data.panels.forEach(function (p) { byKey[p.key] = p; });
  var charts = [];
  var COLORS = ["#2f6db5", "#e07b39", "#3c9d5d", "#c0504d", "#8064a2", "#4bacc6", "#9b8b3a", "#7f7f7f",
                "#d4a017", "#1f4e79", "#a5a5a5", "#5b9bd5"];

  function drillTo(code) {
    if (code) { window.location.href = data.drill_url.replace("CODE", encodeURIComponent(code)); }
  }

  function start(el, option, onClick) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    option.color = COLORS;
    option.animationDuration = 400;
    // Tooltips drawn on the canvas: the HTML ones carry inline style attributes, which the CSP refuses.
    if (option.tooltip) { option.tooltip.renderMode = "richText"; }
    chart.on("finished", function done() {
      chart.off("finished", done);
      el.setAttribute("data-rendered", "1");  // drawn and settled: bars are where a tap will find them
    });
    chart.setOption(option);
    if (onClick) {
      chart.on("click", onClick);
      el.classList.add("drillable");
    }
    charts.push(chart);
    return chart;
  }

  function barOption(p, horizontal) {
    var many = p.categories.length > 12;
    var category = { type: "category", data: p.categories, triggerEvent: p.drill.length > 0,
                     axisLabel: { interval: 0, rotate: horizontal ? 0 : (p.categories.length > 5 ? 40 : 0),
                                  width: 96, overflow: "truncate" } };
    var value = { type: "value", name: p.unit, minInterval: p.unit === "%" ? 0 : 1 };
    var series = p.series.map(function (s) {
      return { name: s.name, type: "bar", data: s.data, stack: s.stack || undefined, barMaxWidth: 36,
               emphasis: { focus: "series" } };
    });
    if (p.marks.length && series.length) {
      series[0].markLine = { symbol: "none", label: { formatter: "{b}", position: "insideEndTop" },
                             lineStyle: { type: "dashed", color: "#c0504d" },
                             data: p.marks.map(function (m) {
                               return horizontal ? { xAxis: m.value, name: m.name } : { yAxis: m.value, name: m.name };
                             }) };
    }
    if (horizontal) { category.inverse = true; }
    var option = {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { show: series.length > 1, top: 0, type: "scroll" },
      grid: { left: 8, right: 24, top: series.length > 1 ? 32 : 24, bottom: many && !horizontal ? 36 : 8,
              containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: series
    };
    if (many) {
      option.dataZoom = horizontal
        ? [{ type: "inside", yAxisIndex: 0, startValue: 0, endValue: 11 }]
        : [{ type: "slider", xAxisIndex: 0, startValue: 0, endValue: 11, height: 16, bottom: 4 },
           { type: "inside", xAxisIndex: 0 }];
    }
    return option;
  }

  function lineOption(p) {
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: p.categories, boundaryGap: false },
      yAxis: { type: "value", name: p.unit, minInterval: 1 },
      series: p.series.map(function (s) { return { name: s.name, type: "line", data: s.data, smooth: false }; })
    };
  }

  function pieOption(p) {
    var s = p.series[0];
    return {
      tooltip: { trigger: "item", formatter: "{b}：{c} " + p.unit + "（{d}%）" },
      legend: { bottom: 0, type: "scroll" },
      series: [{ name: s.name, type: "pie", radius: ["35%", "62%"], center: ["50%", "45%"],
                 label: { formatter: "{b}\n{c}" },
                 data: p.categories.map(function (c, i) { return { name: c, value: s.data[i] }; }) }]
    };
  }

  // A drillable bar chart: a tap anywhere in a category's column (an empty bar too) or on its axis label
  // opens that sub-region.
  function makeDrillable(chart, el, p, horizontal) {
    if (!p.drill.length) { return; }
    el.classList.add("drillable");
    chart.on("click", function (params) {
      if (params.componentType === "xAxis" || params.componentType === "yAxis") {
        var index = p.categories.indexOf(params.value);
        if (index >= 0) { drillTo(p.drill[index]); }
      }
    });
    chart.getZr().on("click", function (event) {
      var point = [event.offsetX, event.offsetY];
      if (!chart.containPixel({ gridIndex: 0 }, point)) { return; }
      var value = chart.convertFromPixel({ gridIndex: 0 }, point);
      var index = Math.round(horizontal ? value[1] : value[0]);
      if (index >= 0 && index < p.drill.length) { drillTo(p.drill[index]); }
    });
  }

  function drawPanel(el) {
    var p = byKey[el.getAttribute("data-panel")];
    if (!p) { return; }
    var horizontal = p.kind === "hbar";
    var option = p.kind === "pie" ? pieOption(p) : p.kind === "line" ? lineOption(p) : barOption(p, horizontal);
    var chart = start(el, option, null);
    if (p.kind === "bar" || horizontal) { makeDrillable(chart, el, p, horizontal); }
  }

  function geoItems() {
    var p = byKey.overview;
    if (!p || !p.series.length) { return []; }
    return p.categories.map(function (name, i) {
      return { name: name, value: p.series[0].data[i], code: p.drill[i] || "" };
    });
  }

  function drawTreemap(el) {
    var items = geoItems().filter(function (d) { return d.value > 0; });
    if (!items.length) {
      el.textContent = "暂无监测户";
      el.classList.add("muted", "dash-empty");
      return;
    }
    start(el, {
      tooltip: { formatter: function (info) { return info.name + "：" + info.value + " 户"; } },
      series: [{ type: "treemap", roam: false, nodeClick: false, breadcrumb: { show: false },
                 left: 0, right: 0, top: 0, bottom: 0,
                 label: { show: true, formatter: "{b}\n{c} 户" }, data: items }]
    }, function (params) { if (params.data) { drillTo(params.data.code); } });
  }

  function drawMap(el) {
    fetch(data.map_url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (got) {
        var mapName = "region-" + data.region;
        echarts.registerMap(mapName, got.geojson);
        var items = geoItems().map(function (d) { return { name: d.code, value: d.value, label: d.name }; });
        var max = Math.max.apply(null, items.map(function (d) { return d.value; }).concat([1]));
        start(el, {
          tooltip: { trigger: "item", formatter: function (info) {
            return (got.names[info.name] || info.name) + "：" + (isNaN(info.value) ? 0 : info.value) + " 户";
          } },
          visualMap: { min: 0, max: max, left: 0, bottom: 0, text: ["多", "少"], calculable: true,
                       inRange: { color: ["#e8f1fb", "#2f6db5"] } },
          series: [{ type: "map", map: mapName, roam: false, selectedMode: false,
                     label: { show: true, fontSize: 10, formatter: function (info) { return got.names[info.name] || ""; } },
                     data: items }]
        }, function (params) { drillTo(params.name); });
      })
      .catch(function () { drawTreemap(el); });
  }

  document.querySelectorAll("[data-panel]").forEach(drawPanel);
  var geo = document.querySelector("[data-geo]");
  if (geo) {
    if (geo.getAttribute("data-geo") === "map" && data.map_url) { drawMap(geo); } else { drawTreemap(geo); }
  }
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
}());
