// Issue 26 for the collaborator network and the analytics pages: each one in Vietnamese
// and in English (its words, not the other language's), the same figures in both, and
// usable at 390 px (wide tables scroll inside their card, the tree stays readable).
import { test } from '@playwright/test';
import { expectInBothLanguages, topEarner } from './support';

test('the network overview in both languages', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'network',
    path: '/network',
    vi: ['Mạng lưới cộng tác viên', 'Mã, tên hoặc số điện thoại', 'Theo cấp bậc', 'Theo độ sâu trong cây', 'Cộng tác viên mới theo tháng'],
    en: ['Collaborator network', 'Code, name or phone', 'By rank', 'By depth in the tree', 'New collaborators per month'],
    figures: ['[data-testid="overview-collaborators"]'],
  });
});

test('a collaborator\'s tree in both languages', async ({ browser }) => {
  const earner = await topEarner();
  await expectInBothLanguages(browser, {
    name: 'network-tree',
    path: `/network?ctv=${encodeURIComponent(earner.ma_ctv)}`,
    vi: ['Doanh thu nhóm', 'Nhóm (4 cấp)', 'Nhóm, 4 cấp bên dưới'],
    en: ['Team revenue', 'Team (4 levels)', 'Team, 4 levels down'],
    figures: ['[data-testid="team-size"]'],
  });
});

test('the commission report in both languages', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'commissions',
    path: '/commissions',
    vi: ['Báo cáo hoa hồng', 'Xuất CSV', 'Trực tiếp', 'Điều chỉnh', 'Áp dụng'],
    en: ['Commission report', 'Export CSV', 'Direct', 'Adjustments', 'Apply'],
    figures: ['[data-testid="report-totals"]'],
  });
});

test('the commission months in both languages', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'commission-periods',
    path: '/commissions',
    vi: ['Các tháng', 'Sửa một tháng đã chốt', 'Ghi điều chỉnh', 'Thao tác'],
    en: ['Months', 'Correct a closed month', 'Record the adjustment', 'Action'],
  });
});

test('the commission rates in both languages', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'commission-rates',
    path: '/commissions/rates',
    vi: ['Tỷ lệ hoa hồng', 'Đang áp dụng', 'Tỷ lệ mới', 'Xem trước', 'Lịch sử'],
    en: ['Commission rates', 'In force today', 'A new rate', 'Preview', 'History'],
    figures: ['[data-testid="rates-current"]'],
  });
});

test('a collaborator\'s statement in both languages', async ({ browser }) => {
  const earner = await topEarner();
  await expectInBothLanguages(browser, {
    name: 'statement',
    path: `/commissions/statement?ctv=${encodeURIComponent(earner.ma_ctv)}&period=${earner.period}`,
    vi: ['Bảng kê hoa hồng', 'Tổng cả tháng', 'Tải Excel', 'Khách hàng'],
    en: ['Commission statement', 'Total for the month', 'Download Excel', 'Customer'],
    figures: ['[data-testid="statement-total"]'],
  });
});

test('the customers and their statuses in both languages', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'customers',
    path: '/customers',
    vi: ['Nhập khách hàng', 'Đổi trạng thái', 'Đã đến làm', 'Đã liên hệ', 'Tra cứu'],
    en: ['Enter a customer', 'Change status', 'Served', 'Contacted', 'Look up'],
  });
});

test('the insights in both languages', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'insights',
    path: '/insights',
    vi: ['Nhận định', 'Mọi loại', 'Bất thường', 'Cơ hội'],
    en: ['Insights', 'All kinds', 'Anomaly', 'Opportunity', 'Computed from this organization'],
  });
});

test('the alerts in both languages', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'alerts',
    path: '/alerts',
    vi: ['Cảnh báo đang mở', 'Thêm quy tắc', 'Cảnh báo khi'],
    en: ['Open alerts', 'Add rule', 'Alert when'],
  });
});

test('the data sources in both languages', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'data-sources',
    path: '/admin/data-sources',
    vi: ['Nguồn dữ liệu', 'Lần chạy gần nhất', 'Tần suất', 'Đồng bộ ngay'],
    en: ['Data sources', 'Last run', 'Frequency', 'Sync now'],
  });
});

test('the usage in both languages', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'usage',
    path: '/admin/usage',
    vi: ['Ai đang dùng UT360', 'Lượt xem trang', 'Hoạt động gần nhất'],
    en: ['Who is using UT360', 'Page views', 'Last activity'],
  });
});

test('the cohorts in both languages', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'cohorts',
    path: '/analytics/cohorts',
    vi: ['Nhóm thuần tập', 'Tỷ lệ giữ chân'],
    en: ['Cohorts', 'Retention'],
  });
});

test('the campaign funnels in both languages', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'funnels',
    path: '/analytics/funnels',
    vi: ['Phễu chiến dịch'],
    en: ['Campaign funnels'],
  });
});
