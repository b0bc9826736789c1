"""The portal's words in Chinese and English (the person picks; Chinese by default)."""

from __future__ import annotations

LANGS = ("zh", "en")

TEXTS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "举报网络诈骗",
        "lead": "被骗了？请尽快告诉我们。我们会立即核对您转账的收款账户，"
        "必要时马上请求平台冻结资金。",
        "name": "您的姓名",
        "contact": "联系电话或邮箱",
        "city": "所在城市",
        "story": "发生了什么",
        "payments": "您转账的收款账户",
        "account": "收款账户",
        "amount": "金额（元）",
        "paid_at": "转账时间",
        "files": "证据（转账记录、聊天截图；照片或 PDF，每个不超过 8 MB）",
        "send": "提交举报",
        "done": "已收到您的举报",
        "number": "案件编号",
        "secret": "查询密码",
        "keep": "请记下案件编号和查询密码，凭它们查询进展。密码只显示这一次。",
        "frozen": "您转账的账户中有已知的涉诈账户，我们已向平台发出紧急冻结请求。",
        "next": "接下来：不要再向任何人转账；保留聊天记录和转账凭证；如有人自称警察或客服"
        "要求您再转账，那就是诈骗。紧急情况请拨打 110，反诈咨询请拨打 96110。",
        "follow": "查询进展",
        "status": "当前状态",
        "wrong": "请检查以下内容：",
        "busy": "提交太频繁，请稍后再试。",
        "not_found": "案件编号或查询密码不正确。",
        "received": "已收到，正在处理",
        "freeze_requested": "已发出紧急冻结请求",
        "other": "English",
    },
    "en": {
        "title": "Report an online fraud",
        "lead": "Been scammed? Tell us now. We check the "
        "accounts you paid at once and, where we can, ask the platform to freeze the money.",
        "name": "Your name",
        "contact": "Phone or e-mail",
        "city": "City",
        "story": "What happened",
        "payments": "Accounts you paid",
        "account": "Account paid",
        "amount": "Amount (CNY)",
        "paid_at": "When",
        "files": "Evidence (transfer records, chat screenshots; photos or PDF, up to 8 MB each)",
        "send": "Send report",
        "done": "We have your report",
        "number": "Case number",
        "secret": "Follow-up code",
        "keep": "Keep the case number and the follow-up code to check progress. The code "
        "is shown only this once.",
        "frozen": "An account you paid is a known fraud account: we have asked its platform "
        "to freeze the money urgently.",
        "next": "Next: do not pay anyone anything more; keep the chats and transfer records; "
        "anyone who calls as police or customer service asking you to pay again is a "
        "scammer. In an emergency call 110; for fraud advice call 96110.",
        "follow": "Follow your case",
        "status": "Status",
        "wrong": "Please check:",
        "busy": "Too many reports from here; please try again later.",
        "not_found": "Case number or follow-up code not right.",
        "received": "received, being handled",
        "freeze_requested": "urgent freeze requested",
        "other": "中文",
    },
}
