"""Chinese for the targets app (目标考核): pages, messages, services."""

TRANSLATIONS: dict[str, str] = {
    # services
    "%(year)d-%(month)02d has not happened yet.": "%(year)d-%(month)02d 尚未到来，不能填报。",
    "%(name)s is computed from project data and cannot be entered by hand.": (
        "%(name)s由项目数据自动计算，不能手工填报。"
    ),
    "Enter a number.": "请输入数字。",
    "The value cannot be negative.": "数值不能为负数。",
    "The month must be between 1 and 12.": "月份必须在1到12之间。",
    "Targets of %(area)s are set by the level above it.": "%(area)s的目标由上一级下达。",
    "Your role may read targets but not enter actuals.": "您的角色只能查看目标，不能填报完成数。",
    # views
    "Targets saved.": "目标已保存。",
    "Monthly figures saved.": "月度完成数已保存。",
    # templates
    "Year": "年份",
    "Indicator": "指标",
    "Rank": "排名",
    "Target": "目标",
    "Actual to date": "累计完成",
    "Completion %%": "完成率(%%)",
    "Time elapsed %%": "时间进度(%%)",
    "Behind schedule": "进度滞后",
    "No. %(rank)s of %(of)s": "第%(rank)s/共%(of)s",
    "Targets of %(area)s, %(year)s": "%(area)s %(year)s年目标完成情况",
    "Set the %(year)s targets of %(area)s": "下达%(area)s %(year)s年目标",
    "Monthly figures of %(area)s, %(year)s": "%(area)s %(year)s年月度完成数",
    "%(m)s mo.": "%(m)s月",
    "Areas below: completion and rank": "下级区域完成率与排名",
    "Completion and rank are derived from the monthly figures; a row is highlighted when "
    "completion lags the share of the year elapsed.": (
        "完成率和排名由月度数据自动计算；完成率低于时间进度的指标以醒目颜色标出。"
    ),
    "Each cell is the month's own figure, not the total so far. Computed indicators are not "
    "typed here; months still to come are locked. Everything is saved together or not at all.": (
        "每格填写当月数（不是累计数）。自动计算的指标不在此填报；未到的月份不能填写。"
        "全部一起保存，有错则都不保存。"
    ),
    "Enter monthly figures": "填报月度完成数",
    "Monthly figures": "月度完成数",
    "No indicator is entered by hand.": "没有需要手工填报的指标。",
    "No indicators are defined.": "尚未设置考核指标。",
    "Save monthly figures": "保存月度完成数",
    "Save targets": "保存目标",
    "Set targets": "下达目标",
    "Set targets of the level below": "下达下级目标",
    "Targets are set by the level above. A blank box leaves that target as it is.": (
        "目标由上一级下达。留空的指标保持原目标不变。"
    ),
    # the actuals importer
    "Unknown indicator.": "未知的指标。",
    "The year is missing (a 年度 column or the import's year).": (
        "缺少年度（请在文件中加“年度”列，或导入时填写年度）。"
    ),
    "Not %(area)s or an area below it.": "不是%(area)s或其下级区域。",
    "At most 4 decimal places.": "最多4位小数。",
    "The same month is also given in row %(row)d.": "同一月份在第%(row)d行已填写。",
}
