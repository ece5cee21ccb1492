/* The dashboard's charts: the county map (graded by the share of each county association's hard clauses met), the bars against the
   target line and the coverage trend. Data comes from the page (json_script), the map from a static GeoJSON. */
(function () {
  "use strict";
  // each grade's colour is its legend swatch's (dashboard.css), so the map and its legend agree
  function gradeColours() {
    var colours = {};
    document.querySelectorAll("[data-role=legend] [data-grade]").forEach(function (li) {
      colours[li.dataset.grade] = getComputedStyle(li, "::before").backgroundColor;
    });
    return colours;
  }
  var HATCH = { symbol: "rect", symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [1.5, 3], rotation: -Math.PI / 4,
                color: "rgba(40, 40, 40, 0.55)" };

  function tooltip(c) {
    var lines = [c.name + (c.league_name && division.level === "region" ? "（" + c.league_name + "）" : "")];
    if (c.grade === "none") {
      lines.push("未建立协会");
    } else {
      lines.push("硬性条款符合 " + c.met + "/" + c.judged + (c.share !== null ? "（" + c.share + "%）" : ""));
      if (c.failing.length) { lines.push("不符合：" + c.failing.join("、")); }
      if (c.unknown.length) { lines.push("待补充：" + c.unknown.join("、")); }
      if (c.soft_unknown) { lines.push("倡导性条款待补充 " + c.soft_unknown + " 项"); }
    }
    return lines.map(function (line) { return echarts.format.encodeHTML(line); }).join("<br>");
  }
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var asOf = "?as_of=" + data.as_of;
  var division = data.division;

  function bbox(features) {
    var box = [Infinity, Infinity, -Infinity, -Infinity];
    function walk(c) {
      if (typeof c[0] === "number") {
        box[0] = Math.min(box[0], c[0]); box[1] = Math.min(box[1], c[1]);
        box[2] = Math.max(box[2], c[0]); box[3] = Math.max(box[3], c[1]);
      } else { c.forEach(walk); }
    }
    features.forEach(function (f) { walk(f.geometry.coordinates); });
    return [[box[0], box[3]], [box[2], box[1]]];
  }

  function leagueOutlines(features) {
    // One feature per league: its counties' rings together (drawn as a transparent layer with a heavy border).
    var byLeague = {};
    features.forEach(function (f) {
      var rings = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      (byLeague[f.properties.league] = byLeague[f.properties.league] || []).push.apply(byLeague[f.properties.league], rings);
    });
    return Object.keys(byLeague).map(function (code) {
      return { type: "Feature", properties: { name: code }, geometry: { type: "MultiPolygon", coordinates: byLeague[code] } };
    });
  }

  function drawMap(geo) {
    var el = document.getElementById("county-map");
    var statusOf = {};
    data.counties.forEach(function (c) { statusOf[c.code] = c; });
    var features = geo.features.filter(function (f) { return statusOf[f.properties.code]; });
    echarts.registerMap("counties", { type: "FeatureCollection", features: features });
    echarts.registerMap("leagues", { type: "FeatureCollection", features: leagueOutlines(features) });
    var bounds = bbox(features);
    var chart = echarts.init(el, null, { renderer: "svg" });
    var colours = gradeColours();
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: function (p) { var c = statusOf[p.name]; return c ? tooltip(c) : ""; } },
      geo: { map: "leagues", silent: true, boundingCoords: bounds, layoutCenter: ["50%", "50%"], layoutSize: "96%",
             itemStyle: { areaColor: "transparent", borderColor: "#2f3a4a", borderWidth: 1.6 }, z: 3 },
      series: [{
        type: "map", map: "counties", nameProperty: "code", boundingCoords: bounds, layoutCenter: ["50%", "50%"],
        layoutSize: "96%", selectedMode: false, z: 2,
        // a league's few counties carry their names; the region's 103 rely on the tooltip and the table
        label: { show: division.level !== "region", fontSize: 10, color: "#1f2933",
                 formatter: function (p) { return statusOf[p.name] ? statusOf[p.name].name : ""; } },
        emphasis: { label: { show: division.level !== "region" }, itemStyle: { areaColor: "#5b8def" } },
        itemStyle: { borderColor: "#ffffff", borderWidth: 0.5 },
        data: data.counties.map(function (c) {
          var style = { areaColor: colours[c.grade] };
          if (c.hatched) { style.decal = HATCH; }
          return { name: c.code, value: 1, itemStyle: style };
        })
      }]
    });
    chart.on("click", function (p) {
      if (p.seriesType === "map" && statusOf[p.name]) {
        window.location.href = data.links.county.replace("{code}", p.name) + asOf;
      }
    });
    el.dataset.counties = String(features.length);
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawBars() {
    var el = document.getElementById("bars");
    var chart = echarts.init(el, null, { renderer: "svg" });
    var names, values, lines;
    if (division.level === "region") {
      names = data.rows.map(function (r) { return r.name; });
      values = data.rows.map(function (r) { var f = r.figures.county_coverage; return f ? f.value : null; });
      lines = data.targets.filter(function (t) { return t.code === "T1" || t.code === "T2"; });
    } else {
      var keys = ["pillar_organisation", "pillar_management", "pillar_service", "pillar_vitality", "complete_system"];
      names = keys.map(function (k) { return data.metric_labels[k] || "四项均达标"; });
      var totals = keys.map(function () { return [0, 0]; });
      data.rows.forEach(function (r) {
        keys.forEach(function (k, i) { var f = r.figures[k]; if (f) { totals[i][0] += f.numerator; totals[i][1] += f.denominator; } });
      });
      values = totals.map(function (t) { return t[1] ? Math.round(t[0] * 1000 / t[1]) / 10 : null; });
      lines = data.targets.filter(function (t) { return t.code === "T3"; });
    }
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 60, top: 20, bottom: 70 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: names, axisLabel: { rotate: 40, interval: 0 } },
      yAxis: { type: "value", max: 100 },
      series: [{ type: "bar", data: values, itemStyle: { color: "#4a7bd0" },
                 markLine: { symbol: "none", data: lines.map(function (t) { return { yAxis: t.threshold, name: t.code }; }),
                             label: { formatter: "{b} {c}%" }, lineStyle: { color: "#c0392b", type: "dashed" } } }]
    });
    chart.on("click", function (p) {
      if (division.level === "region" && data.rows[p.dataIndex]) {
        window.location.href = data.links.league.replace("{code}", data.rows[p.dataIndex].code) + asOf;
      }
    });
    el.dataset.bars = String(values.length);
  }

  function drawTrend() {
    var el = document.getElementById("trend");
    var chart = echarts.init(el, null, { renderer: "svg" });
    var points = data.trend.filter(function (p) { return p.value !== null; });
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 60, top: 20, bottom: 40 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: points.map(function (p) { return p.as_of; }) },
      yAxis: { type: "value", max: 100 },
      series: [{ type: "line", data: points.map(function (p) { return p.value; }), smooth: false,
                 markLine: { symbol: "none", data: data.targets.filter(function (t) { return t.code === "T1" || t.code === "T2"; })
                   .map(function (t) { return { yAxis: t.threshold, name: t.code }; }), label: { formatter: "{b} {c}%" },
                   lineStyle: { color: "#c0392b", type: "dashed" } } }]
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawBars();
    drawTrend();
    fetch(data.links.map).then(function (r) { return r.json(); }).then(drawMap);
  });
})();
