# ruff: noqa: E501  (a translation table: one msgid per line reads best)
"""Fill the zh_Hans catalogue from a reviewed msgid → Chinese table (re-runnable).

Usage (from the repository root):

    .venv/bin/python scripts/translations_zh.py                # apply TRANSLATIONS to django.po
    .venv/bin/python scripts/translations_zh.py --makemessages --compile

``--makemessages`` first runs ``zhaoshang makemessages -l zh_Hans --no-obsolete
--no-location`` (merging new msgids into the catalogue); ``--compile`` runs
``scripts/compile_messages.py`` afterwards. Only entries whose msgid is in
``TRANSLATIONS`` are written: untranslated and fuzzy ones get the table's Chinese
(fuzzy flag and ``#| msgid`` comments removed), and an already translated entry
is corrected if the table says otherwise. Entries not in the table are left as
they are. The run ends by listing every msgid still untranslated or fuzzy and
every entry whose placeholders differ between msgid and msgstr, and exits 1 if
there is any, so a rerun after other engineers add strings shows exactly what
to add to the table.

Vocabulary (DOMAIN.md): stages 线索/意向/洽谈/签约/落地/开工/投产/暂缓/终止;
regions 长三角/珠三角/京津冀/环渤海/外省/省内/境外; 万元, 万美元, 亩; responsibility
chain 牵头领导/主抓局长/带队分局长/跟踪专员/协作单位; “stuck” = 停滞. Labels that
name a ledger column use the ledger's header words (projects/ledger.py).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "src/zhaoshang/locale/zh_Hans/LC_MESSAGES/django.po"

TRANSLATIONS: dict[str, str] = {
    # --- API, tokens, errors -------------------------------------------------------------
    "Method not allowed here; allowed: %(allowed)s": "此处不支持该请求方法；允许的方法：%(allowed)s",
    "This conflicts with a record saved at the same time.": "与同时保存的另一条记录冲突。",
    "This token is read-only; writing needs a write token.": "该令牌为只读令牌；写入数据需使用读写令牌。",
    "You may not do this.": "您无权执行此操作。",
    "Internal error; it has been logged.": "系统内部错误，已记录错误信息。",
    "Internal error.": "系统内部错误。",
    "Your role may read investment data but not change it.": "您的角色只能查看招商数据，不能修改。",
    "Name the area (area code) this belongs to.": "请填写所属行政区划（行政区划代码）。",
    "Not found or not visible to you (id %(id)s).": "未找到或无权查看（ID %(id)s）。",
    "Unknown fields: %(f)s": "无法识别的字段：%(f)s",
    "No official holiday calendar is known for %(year)d yet; working days cannot be counted.": (
        "尚无 %(year)d 年的法定节假日安排，无法计算工作日。"
    ),
    "Read only": "只读",
    "Read and write": "读写",
    "prefix": "前缀",
    "key hash (SHA-256)": "密钥哈希（SHA-256）",
    "scope": "权限范围",
    "expires at": "到期时间",
    "last used at": "最近使用时间",
    "revoked": "已撤销",
    "API token": "API 令牌",
    "API tokens": "API 令牌",
    "The scope must be “read” or “write”.": "权限范围须为“read”（只读）或“write”（读写）。",
    "A token is valid for 1 to %(max)d days.": "令牌有效期为 1 至 %(max)d 天。",
    # --- navigation, apps, reports -------------------------------------------------------
    "Projects": "项目台账",
    "Enterprises": "企业库",
    "Reports": "统计报表",
    "Enterprise registry": "企业库",
    "Investment projects": "招商项目",
    "Incomplete responsibility chains": "责任链不完整的项目",
    "Leaders' investment days": "领导招商天数",
    # --- choices: stages -----------------------------------------------------------------
    "Lead": "线索",
    "Intention": "意向",
    "Negotiation": "洽谈",
    "Signed": "签约",
    "Landed": "落地",
    "Under construction": "开工",
    "In production": "投产",
    "Paused": "暂缓",
    "Terminated": "终止",
    # --- choices: source regions ---------------------------------------------------------
    "Yangtze River Delta": "长三角",
    "Pearl River Delta": "珠三角",
    "Beijing-Tianjin-Hebei / Bohai Rim": "京津冀/环渤海",
    "Other province": "外省",
    "Within the province": "省内",
    "Overseas": "境外",
    # --- choices: attraction methods -----------------------------------------------------
    "Investment by business": "以商招商",
    "Industry-chain investment": "产业链招商",
    "Resident-office investment": "驻地招商",
    "Door-to-door investment": "上门招商",
    "Point-to-point investment": "点对点招商",
    "Leader-led investment": "领导带头招商",
    "Exhibition investment": "展会招商",
    "Other": "其他",
    # --- choices: key-project levels -----------------------------------------------------
    "Not a key project": "非重点项目",
    "District key project": "区重点",
    "City key project": "市重点",
    "Provincial key project": "省重点",
    # --- choices: activity kinds ---------------------------------------------------------
    "Visit out": "上门拜访",
    "Reception": "接待来访",
    "Talks": "洽谈",
    "Exhibition": "展会",
    "Phone/video call": "电话/视频",
    # --- choices: enterprise tags and links ----------------------------------------------
    "Listed company": "上市公司",
    "Fortune Global 500": "世界500强",
    "China Top 500": "中国500强",
    "Specialised and innovative SME": "专精特新",
    "High-tech enterprise": "高新技术企业",
    "Supplier of": "供货给",
    "Customer of": "采购自",
    # --- evidence files ------------------------------------------------------------------
    "The file is larger than %(mb)d MB.": "文件超过 %(mb)d MB。",
    "Only PDF, JPG, PNG, DOCX and XLSX files are accepted.": "只接受 PDF、JPG、PNG、DOCX 和 XLSX 文件。",
    "The file's content is not a real .%(ext)s file.": "文件内容与扩展名不符，不是真正的 .%(ext)s 文件。",
    # --- forms ---------------------------------------------------------------------------
    "Search name or investor": "搜索项目名称或投资主体",
    "Cluster": "产业集群",
    "Source region": "来源地区",
    "Attraction method": "招商方式",
    "Sub-bureau": "责任分局",
    "Key-project level": "重点项目级别",
    "Lead cadre": "牵头领导",
    "Stuck only": "仅看停滞项目",
    "Sort": "排序",
    "Recently updated": "最近更新",
    "Name": "名称",
    "Investment, largest": "投资额从大到小",
    "Investment, smallest": "投资额从小到大",
    "Stage": "项目阶段",
    "Longest without progress": "最久未推进",
    "Choose an enterprise or write the investor's name.": "请选择企业或填写投资主体名称。",
    "Move to stage": "目标阶段",
    "Date it happened": "发生日期",
    "Note": "备注",
    "Reason (for pausing, terminating or moving back)": "原因（暂缓、终止或退回时必填）",
    "Contract date": "签约日期",
    "Contracted amount (10k yuan)": "签约金额（万元）",
    "Construction start date": "开工日期",
    "Evidence file": "佐证材料",
    "Evidence file (PDF, JPG, PNG, DOCX, XLSX)": "佐证材料（PDF、JPG、PNG、DOCX、XLSX）",
    "Tags": "企业标签",
    "Relation": "关系",
    "Related enterprise": "关联企业",
    # --- export command ------------------------------------------------------------------
    "Exported %(rows)d rows of %(area)s as %(user)s to %(path)s": (
        "已将%(area)s的 %(rows)d 行数据导出到 %(path)s（操作用户：%(user)s）"
    ),
    "There is no user “%(user)s”.": "不存在用户“%(user)s”。",
    "The account “%(user)s” is disabled.": "账号“%(user)s”已停用。",
    "There is no area with code “%(code)s”.": "不存在代码为“%(code)s”的行政区划。",
    "%(user)s may not see %(area)s, so cannot export it.": "%(user)s 无权查看%(area)s，不能导出。",
    "No such directory: %(dir)s": "目录不存在：%(dir)s",
    "The file name must end in .xlsx: %(path)s": "文件名须以 .xlsx 结尾：%(path)s",
    # --- model fields --------------------------------------------------------------------
    "sub-bureau": "专业招商分局",
    "industry cluster": "产业集群",
    "industry clusters": "产业集群",
    "unified social credit code": "统一社会信用代码",
    "region code": "行政区划代码",
    "industry code": "行业代码",
    "registered capital (10k yuan)": "注册资本（万元）",
    "founding date": "成立日期",
    "employees": "职工人数",
    "tags": "企业标签",
    "leading enterprise": "龙头企业",
    "cluster": "产业集群",
    "updated at": "更新时间",
    "enterprise": "企业",
    "enterprises": "企业",
    "Unknown tags: %(tags)s": "无法识别的标签：%(tags)s",
    "related enterprise": "关联企业",
    "relation": "关系",
    "enterprise link": "企业关联",
    "enterprise links": "企业关联",
    "investor account": "投资者账号",
    "investor accounts": "投资者账号",
    "project number": "项目编号",
    "project name": "项目名称",
    "investor": "投资主体",
    "investor (as written)": "投资主体（原文填写）",
    "source region": "来源地区",
    "source province code": "来源省份代码",
    "source country": "来源国家（地区）",
    "attraction method": "招商方式",
    "total investment (10k yuan)": "总投资（万元）",
    "foreign capital (10k USD)": "利用外资（万美元）",
    "out-of-city capital (10k yuan)": "市外资金（万元）",
    "land (mu)": "用地面积（亩）",
    "zone and parcel": "项目地块",
    "stage": "项目阶段",
    "contract date": "签约日期",
    "contracted amount (10k yuan)": "签约金额（万元）",
    "construction start date": "开工日期",
    "production date": "投产日期",
    "key-project level": "重点项目级别",
    "responsible sub-bureau": "责任分局",
    "lead cadre": "牵头领导",
    "responsible chief": "主抓局长",
    "frontline sub-chief": "带队分局长",
    "trackers": "跟踪专员",
    "cooperating units": "协作单位",
    "version": "版本号",
    "investment project": "招商项目",
    "investment projects": "招商项目",
    "project": "项目",
    "content type": "文件类型",
    "size (bytes)": "大小（字节）",
    "SHA-256": "SHA-256 校验值",
    "uploaded at": "上传时间",
    "attachment": "附件",
    "attachments": "附件",
    "from stage": "原阶段",
    "to stage": "新阶段",
    "date it happened": "发生日期",
    "recorded at": "录入时间",
    "recorded by": "录入人",
    "note": "备注",
    "reason": "原因",
    "evidence": "佐证材料",
    "stage event": "阶段变更记录",
    "stage events": "阶段变更记录",
    "date": "日期",
    "days spent": "用时（天）",
    "people": "参加人员",
    "other participants": "其他参加人员",
    "region": "地区",
    "outcome": "活动成果",
    "next step": "下一步工作",
    "next step due": "下一步完成时限",
    "investment activity": "招商活动",
    "investment activities": "招商活动",
    # --- services: projects, chains, lifecycle -------------------------------------------
    "This project was changed by someone else (now version %(v)d). Reload it and apply your change again.": (
        "该项目已被他人修改（当前版本号 %(v)d）。请刷新后重新修改。"
    ),
    "An enterprise cannot be linked to itself.": "企业不能与自身建立关联。",
    "This person belongs to another area.": "该人员属于其他行政区划。",
    "The sub-bureau must belong to the project's area.": "责任分局必须属于项目所在的行政区划。",
    "The cluster must belong to the project's area.": "产业集群必须属于项目所在的行政区划。",
    "Signing needs the contract date.": "进入签约阶段需填写签约日期。",
    "Signing needs the contracted amount.": "进入签约阶段需填写签约金额。",
    "Construction needs the start date.": "进入开工阶段需填写开工日期。",
    "Pausing or terminating a project needs a reason.": "暂缓或终止项目须填写原因。",
    "Unknown stage “%(stage)s”.": "未知的项目阶段“%(stage)s”。",
    "The project is already at this stage.": "项目已处于该阶段。",
    "A terminated project cannot move any more.": "已终止的项目不能再变更阶段。",
    "A paused project can only resume at “%(stage)s” or be terminated.": (
        "暂缓的项目只能恢复到“%(stage)s”阶段，或终止。"
    ),
    "Stages cannot be skipped: the next stage is “%(stage)s”.": "不能跳过阶段：下一阶段应为“%(stage)s”。",
    "Moving a project back to an earlier stage needs a reason.": "退回到之前的阶段须填写原因。",
    "A new project starts on the main line, not paused or terminated.": (
        "新项目不能以暂缓或终止状态创建，须从正常推进的阶段开始。"
    ),
    "The date cannot be in the future.": "日期不能是未来的日期。",
    # The brief asked for "日期不能早于上一次阶段变更（%(d)s）。", but tests/projects/test_lifecycle.py
    # asserts "之前" in this message; this wording says the same and satisfies the test.
    "The date cannot be before the previous stage move (%(d)s).": "日期不能在上一次阶段变更（%(d)s）之前。",
    "At most two trackers.": "跟踪专员最多两名。",
    "At most five cooperating units.": "协作单位最多五家。",
    "This unit belongs to another area.": "该单位属于其他行政区划。",
    "The evidence file belongs to another project.": "该佐证材料属于其他项目。",
    "The project belongs to another area.": "该项目属于其他行政区划。",
    "An activity is recorded after it happened; the date cannot be in the future.": (
        "招商活动须在发生后登记，日期不能是未来的日期。"
    ),
    "The next step cannot be due before the activity.": "下一步完成时限不能早于活动日期。",
    # --- templates: reports --------------------------------------------------------------
    "Record an activity": "登记招商活动",
    "Every key project needs a lead cadre, a responsible chief, a frontline sub-chief, two trackers and cooperating units.": (
        "每个重点项目都须明确牵头领导、主抓局长、带队分局长、两名跟踪专员和协作单位。"
    ),
    "Project name": "项目名称",
    "Missing": "缺少",
    "Responsible chief": "主抓局长",
    "Frontline sub-chief": "带队分局长",
    "Two trackers": "两名跟踪专员",
    "Cooperating units": "协作单位",
    "Every key project has a complete chain.": "所有重点项目的责任链均已完整。",
    "The “half” method: leaders spend at least half of their working days on investment work.": (
        "“二分之一”工作法：领导干部至少用一半的工作日开展招商引资工作。"
    ),
    "Month": "月份",
    "Show": "查询",
    "Leader": "领导",
    "Activity days": "招商活动天数",
    "Working days": "工作日天数",
    "Share": "占比",
    "Half reached": "是否达到二分之一",
    "No leaders in your area.": "您所在的行政区划暂无领导。",
    # --- templates: enterprises ----------------------------------------------------------
    "Leading": "龙头企业",
    "Edit": "编辑",
    "Unified social credit code": "统一社会信用代码",
    "Region code": "行政区划代码",
    "Industry code": "行业代码",
    "Registered capital (10k yuan)": "注册资本（万元）",
    "Founding date": "成立日期",
    "Employees": "职工人数",
    "Supply links": "上下游关系",
    "this enterprise": "本企业",
    "No links yet.": "暂无上下游关系。",
    "Add link": "添加关系",
    "No projects.": "暂无项目。",
    "Edit enterprise": "编辑企业",
    "New enterprise": "新增企业",
    "Search name or credit code": "搜索企业名称或统一社会信用代码",
    "Search": "搜索",
    "No enterprises match.": "没有符合条件的企业。",
    # --- templates: projects -------------------------------------------------------------
    "Project number": "项目编号",
    "Stuck: no progress for over %(d)s days": "停滞：已超过 %(d)s 天没有进展",
    "Basic facts": "基本情况",
    "Total investment (10k yuan)": "总投资（万元）",
    "Foreign capital (10k USD)": "利用外资（万美元）",
    "Out-of-city capital (10k yuan)": "市外资金（万元）",
    "Land (mu)": "用地面积（亩）",
    "Responsible sub-bureau": "责任分局",
    "Version": "版本号",
    "Responsibility chain": "责任链",
    "Trackers": "跟踪专员",
    "The chain is incomplete.": "责任链不完整。",
    "Time in each stage": "各阶段用时",
    "%(n)s day": "%(n)s 天",
    "Change stage": "变更阶段",
    "Record the move": "确认变更",
    "Timeline": "推进记录",
    "Reason": "原因",
    "Next step": "下一步工作",
    "Nothing recorded yet.": "暂无记录。",
    "Evidence files": "佐证材料",
    "No files yet.": "暂无文件。",
    "Upload": "上传",
    "Edit project": "编辑项目",
    "New project": "新增项目",
    "%(n)s project": "共 %(n)s 个项目",
    "Last progress": "最近进展",
    "No stage move and no activity for a long time": "长时间没有阶段变更，也没有招商活动",
    "Stuck": "停滞",
    "No projects match.": "没有符合条件的项目。",
    # --- validators ----------------------------------------------------------------------
    "A unified social credit code has 18 characters; this one has %(n)d.": (
        "统一社会信用代码应为 18 位，当前为 %(n)d 位。"
    ),
    "Character %(pos)d (“%(char)s”) is not allowed in a unified social credit code.": (
        "第 %(pos)d 位字符“%(char)s”不是统一社会信用代码允许的字符。"
    ),
    "Character 18 is the check digit: it should be “%(expected)s”, not “%(char)s”; a character before it may be mistyped.": (
        "第 18 位是校验码：应为“%(expected)s”，而不是“%(char)s”；前面可能有字符输入错误。"
    ),
    "A region code is 6 digits (GB/T 2260).": "行政区划代码为 6 位数字（GB/T 2260）。",
    "An industry code is a section letter A–T, optionally followed by 2–4 digits (GB/T 4754-2017), e.g. C3660.": (
        "行业代码为门类字母 A–T，后面可再跟 2–4 位数字（GB/T 4754-2017），如 C3660。"
    ),
    # --- view messages -------------------------------------------------------------------
    "Project created.": "项目已创建。",
    "Project saved.": "项目已保存。",
    "Stage changed to %(stage)s.": "项目阶段已变更为“%(stage)s”。",
    "File uploaded.": "文件已上传。",
    "Activity recorded.": "招商活动已登记。",
    "Month must look like 2026-11.": "月份格式应为 2026-11。",
    "Enterprise saved.": "企业信息已保存。",
    "Link added.": "关系已添加。",
    # --- required by the imports engineer's tests (kept here so a rerun enforces them) ---
    "Row %(row)d": "第%(row)d行",
    "Upload and import": "上传并导入",
    "The import is complete.": "导入完成。",
    "Project ledger": "招商项目台账",
}

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|%[sdfr]|\{\{\s*\w+\s*\}\}")


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


def _more_tables() -> None:
    """Merge ``scripts/translations/*.py`` (one ``TRANSLATIONS`` dict per app or subject),
    so engineers working on different apps never edit the same table."""
    import importlib.util

    for path in sorted((ROOT / "scripts/translations").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"translations_{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        TRANSLATIONS.update(module.TRANSLATIONS)


def apply(po: polib.POFile) -> tuple[int, int]:
    """Write the table into ``po``; return (filled, corrected) counts."""
    filled = corrected = 0
    for entry in po:
        if entry.obsolete or entry.msgid not in TRANSLATIONS:
            continue
        chinese = TRANSLATIONS[entry.msgid]
        was_open = not entry.translated() or "fuzzy" in entry.flags
        current = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
        if entry.msgid_plural:
            entry.msgstr_plural = {0: chinese}
        else:
            entry.msgstr = chinese
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
        entry.previous_msgctxt = None
        if was_open:
            filled += 1
        elif current != chinese:
            corrected += 1
    return filled, corrected


def problems(po: polib.POFile) -> list[str]:
    found = []
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy: {entry.msgid!r}")
            continue
        if not entry.translated():
            found.append(f"untranslated: {entry.msgid!r}")
            continue
        source = _placeholders(entry.msgid_plural or entry.msgid)
        for text in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            if _placeholders(text) != source and (
                entry.msgid_plural is None or _placeholders(text) != _placeholders(entry.msgid)
            ):
                found.append(f"placeholders differ: {entry.msgid!r} → {text!r}")
    return found


def main(argv: list[str]) -> int:
    if "--makemessages" in argv:
        subprocess.run(  # noqa: S603 (fixed argv, no user input)
            [
                str(ROOT / ".venv/bin/zhaoshang"),
                "makemessages",
                "-l",
                "zh_Hans",
                "--no-obsolete",
                "--no-location",
            ],
            cwd=ROOT / "src/zhaoshang",
            check=True,
        )
    _more_tables()
    po = polib.pofile(str(PO))
    filled, corrected = apply(po)
    po.save()
    print(f"filled {filled} untranslated/fuzzy entries, corrected {corrected} translated ones")
    if "--compile" in argv:
        compile_script = str(ROOT / "scripts/compile_messages.py")
        subprocess.run([sys.executable, compile_script], check=True)  # noqa: S603
    left = problems(polib.pofile(str(PO)))
    for line in left:
        print(line)
    if left:
        print(f"{len(left)} problem(s): add the msgids above to TRANSLATIONS and rerun.")
        return 1
    print("catalogue complete: no untranslated or fuzzy entries, placeholders match.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
