// Issue 26: the marketing and admin pages, and the account pages around them, in
// Vietnamese and in English, at 1280 and 390 px (see expectInBothLanguages).
import { test } from '@playwright/test';
import { expectInBothLanguages } from './support';

test('campaigns', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'campaigns',
    path: '/campaigns',
    vi: ['Chiến dịch mới', 'Điểm và số tiền', 'Lưu chiến dịch', 'Giá trị khách hàng tối thiểu', 'thuê bao trong chiến dịch này'],
    en: ['New campaign', 'Scores and amounts', 'Save campaign', 'Min. customer value', 'subscribers in this campaign'],
    figures: ['[data-testid="campaign-count"]'],
  });
});

test('bulk lookup', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'bulk',
    path: '/bulk',
    vi: ['Tra cứu hàng loạt', 'mỗi dòng một số', 'Kết quả sẽ hiện ở đây.'],
    en: ['Bulk lookup', 'one per line', 'Results appear here.'],
  });
});

test('admin: members', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'admin-members',
    path: '/admin/members',
    vi: ['Lời mời đang chờ', 'Mời hoặc đổi vai trò', 'Lần đăng nhập cuối', 'quản trị viên'],
    en: ['Open invitations', 'Invite or change role', 'Last sign-in', 'Roles: analyst'],
  });
});

test('admin: API keys', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'admin-api-keys',
    path: '/admin/api-keys',
    vi: ['Khóa API', 'Tạo khóa', 'Mỗi khóa chỉ đọc được dữ liệu'],
    en: ['API keys', 'Create key', 'A key reads this organization'],
  });
});

test('admin: organization', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'admin-organization',
    path: '/admin/organization',
    vi: ['Tiền tố Redis', 'Tên mới', 'Đổi tên', 'không thay đổi'],
    en: ['Redis prefix', 'New name', 'Rename', 'they do not change'],
  });
});

test('admin: security events', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'admin-security-events',
    path: '/admin/security-events',
    vi: ['Sự kiện bảo mật', 'Trình duyệt hoặc ứng dụng', 'Đăng nhập thành công', 'Lưu giữ 180 ngày'],
    en: ['Security events', 'Browser or client', 'Signed in', 'Kept 180 days'],
  });
});

test('organizations', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'organizations',
    path: '/organizations',
    vi: ['Tổ chức của bạn', 'Vai trò của bạn', 'Thành viên của'],
    en: ['Your organizations', 'Your role', 'Member of'],
  });
});

test('change password', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'account-password',
    path: '/account/password',
    vi: ['Đổi mật khẩu của bạn', 'Mật khẩu hiện tại', 'Mật khẩu mới'],
    en: ['Change your password', 'Current password', 'New password'],
  });
});

test('not found', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'not-found',
    path: '/no-such-page',
    // The gate answers an unknown address itself, without the app's script.
    hydrates: false,
    vi: ['Không tìm thấy trang', 'Quay về trang tổng quan'],
    en: ['Page not found', 'Back to the overview'],
  });
});

test('sign in', async ({ browser }) => {
  await expectInBothLanguages(browser, {
    name: 'sign-in',
    path: '/sign-in',
    vi: ['Đăng nhập vào UT360', 'Mật khẩu', 'Chưa có tài khoản'],
    en: ['Sign in to UT360', 'Password', 'No account?'],
  });
});
