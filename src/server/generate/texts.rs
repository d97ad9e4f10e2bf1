//! The Vietnamese insight texts of a profile, written from its numbers.

use crate::data::records::SubscriberRecord;
use crate::domain::format::format_dong;
use crate::domain::recommendation::{ArpuTrend, RiskLevel};

/// Fills the risk factors, strengths, recommendations and classification reason.
pub(super) fn describe(record: &mut SubscriberRecord) {
    record.risk_factors = risk_factors(record);
    record.strengths = strengths(record);
    record.recommendations_text = recommendations(record);
    record.classification_reason = format!(
        "Đề xuất {service}: {cluster}, ARPU trung bình {avg} đ ({trend}), tần suất nạp {frequency}, rủi ro {risk}",
        service = record.service_type,
        cluster = record.cluster_label,
        avg = format_dong(record.arpu.avg),
        trend = record.arpu.trend,
        frequency = record.topup.frequency_class(),
        risk = record.bad_debt_risk,
    );
}

fn risk_factors(r: &SubscriberRecord) -> Vec<String> {
    let mut factors = Vec::new();
    if r.bad_debt_risk != RiskLevel::Low {
        factors.push(format!("Điểm rủi ro tổng hợp cao ({:.2})", r.risk_score));
    }
    if r.arpu.trend == ArpuTrend::Declining {
        factors.push(format!(
            "ARPU giảm {:.1}% (từ {} đ xuống {} đ)",
            -r.arpu.growth_rate,
            format_dong(r.arpu.first_month),
            format_dong(r.arpu.last_month)
        ));
    }
    if r.topup.frequency < 3.0 {
        factors.push(format!("Tần suất nạp tiền thấp ({:.1} lần/tháng)", r.topup.frequency));
    }
    if r.topup.advance_ratio < 1.0 {
        factors.push(format!("Số tiền nạp trung bình thấp hơn khoản ứng (tỷ lệ {:.2})", r.topup.advance_ratio));
    }
    let volatility = if r.arpu.avg > 0.0 { r.arpu.std / r.arpu.avg * 100.0 } else { 0.0 };
    if volatility > 35.0 {
        factors.push(format!("ARPU biến động mạnh (hệ số biến thiên {volatility:.0}%)"));
    }
    factors
}

fn strengths(r: &SubscriberRecord) -> Vec<String> {
    let mut strengths = Vec::new();
    match r.arpu.trend {
        ArpuTrend::Growing => strengths.push(format!("ARPU tăng trưởng {:.1}%", r.arpu.growth_rate)),
        ArpuTrend::Stable => strengths.push(format!("ARPU ổn định qua {} tháng", r.monthly.len())),
        ArpuTrend::Declining => {}
    }
    if r.topup.frequency >= 6.0 {
        strengths.push(format!("Nạp tiền thường xuyên ({:.1} lần/tháng)", r.topup.frequency));
    }
    if r.topup.advance_ratio >= 2.0 {
        strengths.push(format!("Số tiền nạp trung bình gấp {:.1} lần khoản ứng", r.topup.advance_ratio));
    }
    if r.customer_value_score >= 70.0 {
        strengths.push(format!("Điểm giá trị khách hàng cao ({:.0})", r.customer_value_score));
    }
    if r.revenue.data_bp >= 6_000 {
        strengths.push(format!("Sử dụng data nhiều ({:.0}% doanh thu)", r.revenue.data_bp as f64 / 100.0));
    }
    strengths
}

fn recommendations(r: &SubscriberRecord) -> Vec<String> {
    let mut recommendations = vec![format!("Mời ứng {} đ qua {}", format_dong(r.advance_amount), r.service_type)];
    if r.bad_debt_risk != RiskLevel::Low {
        recommendations.push("Theo dõi khả năng hoàn ứng trước khi tăng hạn mức".to_owned());
    } else if r.priority_score() >= 60.0 {
        recommendations.push("Ưu tiên đưa vào chiến dịch tháng này".to_owned());
    } else {
        recommendations.push("Gửi ưu đãi ứng tiền định kỳ".to_owned());
    }
    if r.revenue.data_bp >= 6_000 {
        recommendations.push("Gợi ý gói data kèm ứng sản lượng".to_owned());
    }
    recommendations
}
