// Dashboard charts: drawn with Apache ECharts (static/vendor/echarts, installed by `make assets`, served by
// the portal itself) from the numbers the page embeds with json_script (#dashboard-chart-data). No inline
// script: the data block is JSON, read here. Also: the sortable township table, and the picker that
// reloads the page when the year or the township changes.
(function () {
  "use strict";

  var COLOURS = ["#b3261e", "#1f6fb2", "#e39b17", "#2e8b57", "#7b4fa0", "#5f6670"];

  function readData() {
    var holder = document.getElementById("dashboard-chart-data");
    return holder ? JSON.parse(holder.textContent) : [];
  }

  function formatNumber(value, unit) {
    if (unit === "元" && Math.abs(value) >= 10000) {
      return (value / 10000).toLocaleString("zh-CN", { maximumFractionDigits: 2 }) + "万元";
    }
    return value.toLocaleString("zh-CN", { maximumFractionDigits: 2 }) + (unit || "");
  }

  // One value axis per unit (at most two: money on the right when counts are on the left).
  function axesFor(series) {
    var units = [];
    series.forEach(function (s) {
      if (units.indexOf(s.unit) === -1) {
        units.push(s.unit);
      }
    });
    // A chart without series (no area declares dated activities yet) still gets its axis.
    return units.length ? units.slice(0, 2) : [""];
  }

  function optionFor(chart) {
    var units = axesFor(chart.series);
    // Completeness: done, open and late rows of each township, one stacked bar each.
    var stacked = chart.key === "activities_by_month" || chart.key === "completeness";
    var horizontal =
      chart.key === "payments_by_programme" || chart.key === "townships_compared" || chart.key === "completeness";
    var series = chart.series.map(function (s, index) {
      var axis = Math.max(units.indexOf(s.unit), 0);
      var kind = chart.kind === "line" && axis === 1 ? "bar" : chart.kind;
      var entry = {
        name: s.name + (s.unit ? "（" + s.unit + "）" : ""),
        type: kind === "pie" ? "pie" : kind,
        data: s.values,
        itemStyle: { color: COLOURS[index % COLOURS.length] },
        emphasis: { focus: "series" },
      };
      entry[horizontal ? "xAxisIndex" : "yAxisIndex"] = axis;
      if (stacked) {
        entry.stack = chart.key;
      }
      if (kind === "line") {
        entry.symbolSize = 6; // straight segments: a smoothed money line would dip below 0 between months
      }
      return entry;
    });
    var valueAxes = units.map(function (unit, index) {
      return {
        type: "value",
        name: unit,
        position: horizontal ? (index === 0 ? "bottom" : "top") : index === 0 ? "left" : "right",
        splitLine: { show: index === 0 },
        axisLabel: {
          formatter: function (value) {
            return unit === "元" && Math.abs(value) >= 10000 ? value / 10000 + "万" : value;
          },
        },
      };
    });
    var categoryAxis = { type: "category", data: chart.categories, axisLabel: { interval: 0, hideOverlap: true } };
    if (horizontal) {
      categoryAxis.inverse = true;
    }
    return {
      animation: false,
      color: COLOURS,
      tooltip: {
        trigger: "axis",
        formatter: function (params) {
          var lines = [params[0].axisValueLabel];
          params.forEach(function (p) {
            var unit = chart.series[p.seriesIndex].unit;
            lines.push(p.marker + p.seriesName.replace(/（.*）$/, "") + "：" + formatNumber(p.value, unit));
          });
          return lines.join("<br>");
        },
      },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 8, top: 48, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxes : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxes,
      series: series,
    };
  }

  function drawCharts() {
    var element;
    var charts = readData();
    if (typeof window.echarts === "undefined") {
      // The library was not installed (`make assets`): say so where the charts would be, keep the tables.
      charts.forEach(function (chart) {
        element = document.getElementById("chart-" + chart.key);
        if (element) {
          element.textContent = "图表组件未安装（请运行 make assets），数据见下方数据表。";
        }
      });
      return;
    }
    var drawn = [];
    charts.forEach(function (chart) {
      element = document.getElementById("chart-" + chart.key);
      if (!element) {
        return;
      }
      var instance = window.echarts.init(element, null, { renderer: "canvas" });
      instance.setOption(optionFor(chart));
      element.setAttribute("data-drawn", "true");
      drawn.push(instance);
    });
    window.addEventListener("resize", function () {
      drawn.forEach(function (instance) {
        instance.resize();
      });
    });
  }

  // Click a column header of a sortable table: sort by it, descending first, again for ascending.
  function makeSortable(table) {
    table.querySelectorAll("th button[data-column]").forEach(function (button) {
      button.addEventListener("click", function () {
        var column = Number(button.getAttribute("data-column"));
        var header = button.parentElement;
        var descending = header.getAttribute("aria-sort") !== "descending";
        table.querySelectorAll("thead th").forEach(function (th) {
          th.removeAttribute("aria-sort");
        });
        header.setAttribute("aria-sort", descending ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column];
          var y = b.cells[column];
          var result;
          if (column === 0) {
            result = x.textContent.localeCompare(y.textContent, "zh-CN");
          } else {
            result = Number(x.getAttribute("data-value")) - Number(y.getAttribute("data-value"));
          }
          return descending ? -result : result;
        });
        rows.forEach(function (row) {
          body.appendChild(row);
        });
      });
    });
  }

  function autoSubmitPicker() {
    var form = document.getElementById("scope-form");
    if (!form) {
      return;
    }
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () {
        form.submit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    document.querySelectorAll("table.data-table--sortable").forEach(makeSortable);
    autoSubmitPicker();
  });
})();
