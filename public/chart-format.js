// Numbers in the charts as the page's language writes them, like src/domain/format.rs:
// Vietnamese `1.234.567 ₫` and `12,5`, English `1,234,567 ₫` and `12.5`. Chart options
// name these functions (src/components/chart.rs); the language is the page's <html lang>.
(function () {
  'use strict';
  function number(value, decimals) {
    var n = Number(value);
    if (value === null || value === undefined || value === '' || !isFinite(n)) {
      return value === null || value === undefined ? '–' : String(value);
    }
    var english = document.documentElement.lang === 'en';
    var fixed = Math.abs(n).toFixed(decimals).split('.');
    var whole = fixed[0].replace(/\B(?=(\d{3})+(?!\d))/g, english ? ',' : '.');
    var fraction = (fixed[1] || '').replace(/0+$/, '');
    var sign = n < 0 && Number(fixed.join('.')) !== 0 ? '-' : '';
    return sign + whole + (fraction ? (english ? '.' : ',') + fraction : '');
  }
  var format = {
    // Counts; an axis may put ticks between whole numbers.
    count: function (value) { return number(value, 2); },
    // Whole đồng.
    money: function (value) { return number(value, 0) + ' ₫'; },
    percent: function (value) { return number(value, 1) + '%'; }
  };
  // A series' labels are given the data item, whose value may be a row: a heat map
  // cell's is [x, y, value].
  function ofItem(figure) {
    return function (item) {
      var value = item ? item.value : undefined;
      return figure(Array.isArray(value) ? value[value.length - 1] : value);
    };
  }
  format.item = { count: ofItem(format.count), money: ofItem(format.money), percent: ofItem(format.percent) };
  window.ut360Format = format;
})();
