"""Demo consultations for ``flask seed-demo``, written through the services by the demo
officials of each department (idempotent: a title that exists is left alone).

Most have two versions: version 2 edits some clauses, adds one, removes one and moves
one, so the diff page has everything to show. The history is dated in the past (the
consultation and its first version months ago) so the rounds seeded afterwards by
rounds/seed.py fit around it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from consult.accounts.models import Department, User
from consult.clock import now
from consult.consultations import services
from consult.consultations.models import Consultation, DraftVersion
from consult.consultations.services import article
from consult.db import db


@dataclass
class Draft:
    department: str
    title: str
    summary: str
    background: str
    goals: str
    tags: str
    contact: str
    clauses: list[tuple[str, str]]  # (heading, body)
    # Version 2: {index: new body}, the clause removed, (index moved, new index),
    # (index to insert before, heading, body); indexes are 0-based into ``clauses``.
    edits: dict[int, str] = field(default_factory=dict)
    remove: int | None = None
    move: tuple[int, int] | None = None
    insert: tuple[int, str, str] | None = None
    change_note: str = ""
    published: bool = True
    # Chapters (章) and sections (节): {index of the first clause: (chapter, section)};
    # a clause stands in the last one at or before it. In version 2 the moved and the new
    # clause take their new neighbour's.
    parts: dict[int, tuple[str, str]] = field(default_factory=dict)


DRAFTS: list[Draft] = [
    Draft(
        department="civil-affairs",
        title="社区养老服务管理办法（征求意见稿）",
        summary="规范社区养老服务设施建设、服务内容和监督管理，推动日间照料、助餐、助浴等服务"
                "覆盖全部城乡社区，让老年人在家门口享受便捷可及的养老服务。",
        background="截至去年底，全市60周岁以上户籍老年人口已超过总人口的23%，其中独居和空巢老人"
                   "占比逐年上升。现有社区养老服务设施分布不均，部分老旧城区服务供给不足，"
                   "服务标准和收费缺乏统一规范，居民反映较多。",
        goals="到2028年，社区养老服务设施覆盖所有城市社区和90%以上的农村社区；"
              "建立统一的服务标准、价格公示和质量评价制度；为失能、高龄老人提供基本照护保障。",
        tags="养老, 社区服务, 民生",
        contact="市民政局养老服务处，电话 010-12345678，邮箱 yanglao@example.org",
        clauses=[
            ("目的和依据", "为了规范社区养老服务，提升服务质量，保障老年人合法权益，"
                          "根据《中华人民共和国老年人权益保障法》等法律法规，结合本市实际，制定本办法。"),
            ("适用范围", "本市行政区域内社区养老服务设施的规划建设、运营管理、服务提供及其监督管理，适用本办法。"),
            ("部门职责", "市民政部门负责全市社区养老服务的统筹规划和监督管理。"
                        "区民政部门负责本辖区社区养老服务的具体实施。街道办事处、乡镇人民政府负责组织协调辖区内社区养老服务工作。"),
            ("设施配建", "新建住宅小区应当按照每百户不少于二十平方米的标准配建社区养老服务用房，"
                        "并与住宅同步规划、同步建设、同步验收、同步交付。"),
            ("服务内容", "社区养老服务机构应当提供日间照料、助餐、助浴、助洁、健康管理、精神慰藉等服务，"
                        "并可以根据老年人需求提供上门服务。"),
            ("助餐服务", "社区老年助餐点应当符合食品安全要求，公示菜品价格和供餐时间。"
                        "对八十周岁以上老年人和低保、特困老年人给予就餐补贴，具体标准由区人民政府确定。"),
            ("服务收费", "社区养老服务收费实行明码标价。基本服务项目的收费标准应当报区民政部门备案，"
                        "并在服务场所显著位置公示。"),
            ("人员要求", "社区养老服务机构应当配备与服务规模相适应的护理人员，护理人员应当经过专业培训。"),
            ("信息平台", "市民政部门建立全市统一的养老服务信息平台，公开服务设施分布、服务项目、收费标准和评价结果。"),
            ("质量评价", "区民政部门每年组织对社区养老服务机构进行服务质量评价，评价结果向社会公开，"
                        "并作为运营补贴发放的依据。"),
            ("投诉处理", "老年人及其家属对社区养老服务有异议的，可以向街道办事处或者区民政部门投诉。"
                        "接到投诉的部门应当在十五个工作日内答复。"),
            ("施行日期", "本办法自2027年1月1日起施行。"),
        ],
        edits={
            3: "新建住宅小区应当按照每百户不少于三十平方米的标准配建社区养老服务用房，"
               "并与住宅同步规划、同步建设、同步验收、同步交付。老旧小区无养老服务用房的，"
               "由区人民政府通过购置、置换、租赁等方式解决。",
            5: "社区老年助餐点应当符合食品安全要求，公示菜品价格、营养搭配和供餐时间。"
               "对七十五周岁以上老年人和低保、特困老年人给予就餐补贴，具体标准由区人民政府确定，"
               "并向社会公布。",
            10: "老年人及其家属对社区养老服务有异议的，可以通过12345热线、养老服务信息平台"
                "或者向区民政部门投诉。接到投诉的部门应当在十个工作日内答复。",
        },
        remove=7,
        move=(8, 4),
        insert=(10, "志愿服务", "鼓励发展“时间银行”等互助养老模式，志愿者为老年人提供服务的时长"
                              "可以记录储存，在本人年老时兑换相应服务。"),
        change_note="根据第一轮意见：提高养老用房配建标准并明确老旧小区补建办法；助餐补贴年龄降至七十五周岁；"
                    "增加“时间银行”互助养老条款；投诉答复时限缩短为十个工作日；人员要求并入服务标准另行规定。",
        parts={0: ("第一章 总则", ""), 3: ("第二章 设施建设", ""),
               4: ("第三章 服务提供", "第一节 服务内容"), 6: ("第三章 服务提供", "第二节 服务规范"),
               8: ("第四章 监督管理", ""), 11: ("第五章 附则", "")},
    ),
    Draft(
        department="housing",
        title="住宅小区停车管理规定（草案）",
        summary="明确住宅小区内车位的配置、出租出售、收费和秩序管理规则，缓解“停车难”，"
                "规范业主、物业服务企业在停车管理中的权利和义务。",
        background="全市机动车保有量五年内增长近六成，老旧小区车位配比普遍不足0.5，"
                   "占用消防通道、绿地停车等问题突出，车位只售不租、收费不透明等矛盾也时有发生。",
        goals="保障消防通道畅通；优先满足业主的停车需要；让车位使用和收费公开透明；"
              "推动共享停车、错时停车，盘活周边停车资源。",
        tags="停车, 物业管理, 住房",
        contact="市住房和城乡建设局物业管理处，电话 010-23456789",
        clauses=[
            ("目的", "为了规范住宅小区停车管理，维护业主合法权益和公共秩序，保障消防通道畅通，制定本规定。"),
            ("适用范围", "本规定适用于本市行政区域内住宅小区规划用于停放车辆的车位、车库以及共有道路、场地的停车管理。"),
            ("优先满足业主需要", "住宅小区内规划用于停放汽车的车位、车库，应当首先满足业主的需要。"
                               "在满足业主需要后仍有空余的，可以临时出租给业主以外的人。"),
            ("只售不租的禁止", "建设单位不得将车位只售不租。业主要求承租尚未出售的车位的，建设单位不得拒绝。"),
            ("共有部分停车", "占用业主共有的道路或者其他场地用于停放汽车的车位，属于业主共有。"
                           "设置、调整此类车位，应当经业主大会决定。"),
            ("收费公示", "物业服务企业收取停车费的，应当在小区显著位置公示收费标准、车位数量和收支情况。"),
            ("收益归属", "利用业主共有部分停车取得的收益，扣除合理成本后，属于业主共有，"
                        "主要用于补充专项维修资金，也可以按照业主大会的决定使用。"),
            ("消防通道", "任何单位和个人不得在消防车通道、消防登高场地停放车辆。"
                        "物业服务企业发现的，应当予以劝阻；劝阻无效的，及时报告消防救援机构。"),
            ("充电设施", "业主申请在自有或者长期租赁的车位安装新能源汽车充电设施的，物业服务企业应当予以配合。"),
            ("共享停车", "鼓励住宅小区与周边机关、企事业单位、商业设施开展错时共享停车。"),
            ("违规处理", "违反本规定占用消防车通道停放车辆的，由消防救援机构依法处罚。"),
        ],
        edits={
            2: "住宅小区内规划用于停放汽车的车位、车库，应当首先满足业主的需要。"
               "在满足业主需要后仍有空余的，可以临时出租给业主以外的人，租期不得超过一年。",
            5: "物业服务企业收取停车费的，应当在小区显著位置和物业管理信息平台公示收费标准、"
               "车位数量、使用情况和收支情况，每季度更新一次。",
            8: "业主申请在自有或者长期租赁的车位安装新能源汽车充电设施的，物业服务企业应当在"
               "五个工作日内出具同意意见并配合施工，不得收取额外费用。",
        },
        remove=9,
        move=(7, 2),
        insert=(10, "临时停车", "住宅小区应当为访客、快递配送、医疗急救等车辆设置临时停车位，"
                              "临时停放不超过三十分钟的，不得收取费用。"),
        change_note="吸收居民意见：业主以外的人临时承租车位租期不超过一年；停车收支每季度公示；"
                    "充电设施配合时限为五个工作日；新增临时停车位条款；将消防通道条款前移；"
                    "共享停车另行出台专门办法。",
    ),
    Draft(
        department="urban-management",
        title="生活垃圾分类管理条例（修订草案）",
        summary="修订本市生活垃圾分类管理条例，完善分类标准、投放方式和收运处理要求，"
                "明确单位和个人的分类义务，推动源头减量和资源化利用。",
        background="条例实施三年来，居民小区分类投放准确率明显提升，但仍存在定时定点投放不便、"
                   "混装混运、大件垃圾和装修垃圾处置难等问题，需要根据实践经验进行修订。",
        goals="居民小区分类投放准确率达到90%以上；杜绝混装混运；方便上班族投放；"
              "建立可回收物回收网络，提高资源化利用率。",
        tags="垃圾分类, 环境, 市容",
        contact="市城市管理局环境卫生处，电话 010-34567890",
        clauses=[
            ("目的和依据", "为了加强生活垃圾分类管理，改善人居环境，促进资源循环利用，根据有关法律、行政法规，结合本市实际，制定本条例。"),
            ("分类标准", "本市生活垃圾分为可回收物、有害垃圾、厨余垃圾和其他垃圾四类。"),
            ("基本原则", "生活垃圾分类管理遵循政府推动、全民参与、城乡统筹、因地制宜、简便易行的原则。"),
            ("分类投放义务", "产生生活垃圾的单位和个人是生活垃圾分类投放的责任主体，应当按照分类标准将生活垃圾投放到相应的收集容器。"),
            ("定时定点投放", "居民小区实行定时定点分类投放，投放时间由管理责任人征求居民意见后确定，每日不少于两个时段。"),
            ("收集容器", "管理责任人应当按照标准设置分类收集容器，保持容器完好、整洁，并在容器上标明类别。"),
            ("分类收运", "收运单位应当按照分类标准分类收集、分类运输，不得将已分类的生活垃圾混合收运。"),
            ("大件垃圾", "大件垃圾应当预约收运或者投放到管理责任人指定的场所。"),
            ("装修垃圾", "装修垃圾应当袋装后堆放到指定场所，不得混入生活垃圾。"),
            ("源头减量", "餐饮服务提供者和外卖平台不得主动向消费者提供一次性餐具。"),
            ("监督检查", "城市管理部门应当加强对生活垃圾分类投放、收集、运输和处理的监督检查。"),
            ("法律责任", "个人未按照规定分类投放生活垃圾的，由城市管理部门责令改正；拒不改正的，处五十元以上二百元以下罚款。"),
            ("施行日期", "本条例自公布之日起施行。"),
        ],
        edits={
            4: "居民小区实行定时定点分类投放，投放时间由管理责任人征求居民意见后确定，每日不少于两个时段，"
               "其中至少一个时段在晚上七点以后；有条件的小区应当设置误时投放点。",
            8: "装修垃圾应当袋装后堆放到指定场所，不得混入生活垃圾。产生装修垃圾的业主可以通过"
               "城市管理服务平台预约清运，清运费用按照公示标准收取。",
            11: "个人未按照规定分类投放生活垃圾的，由城市管理部门责令改正；拒不改正的，处五十元以上二百元以下罚款。"
                "首次违反且及时改正的，可以不予处罚。",
        },
        remove=2,
        move=(9, 4),
        insert=(8, "可回收物回收", "区人民政府应当按照每两千户不少于一个的标准设置可回收物回收服务点，"
                                 "公布回收品种和价格。"),
        change_note="回应“上班族投放不便”的集中意见：增加晚间投放时段和误时投放点；装修垃圾可网上预约清运；"
                    "新增可回收物回收服务点标准；首次违法及时改正的可不罚；删去原则性表述，源头减量条款前移。",
    ),
    Draft(
        department="transport",
        title="公共交通票价调整方案",
        summary="拟对地铁和常规公交票价进行结构性调整：地铁实行里程分段计价并设封顶票价，"
                "公交实行一元起步、换乘优惠，老年人、学生等群体继续享受减免。",
        background="现行票价自2014年起未作调整，运营成本累计上涨约40%，财政补贴压力持续加大；"
                   "同时部分长距离通勤乘客负担较重，换乘优惠覆盖面不足。",
        goals="在财政可持续的前提下，保持公共交通对私人汽车的价格优势；减轻长距离通勤者负担；"
              "扩大换乘优惠，鼓励“公交+地铁”绿色出行。",
        tags="公共交通, 票价, 出行",
        contact="市交通运输局运输管理处，电话 010-45678901",
        clauses=[
            ("调整依据", "根据《中华人民共和国价格法》和本市定价目录，结合成本监审结果，制定本方案。"),
            ("地铁计价", "地铁票价实行里程分段计价：6公里以内（含）3元；6至12公里（含）4元；12至22公里（含）5元；"
                        "22至32公里（含）6元；32公里以上每增加20公里增加1元。"),
            ("封顶票价", "地铁单程票价最高不超过10元。"),
            ("公交票价", "市区常规公交线路实行一票制，票价为1元；郊区线路按里程计价，起步价1元。"),
            ("换乘优惠", "乘客使用交通卡或者移动支付在90分钟内换乘的，后一程票价减免1元。"),
            ("月度优惠", "同一交通卡在一个自然月内乘坐地铁累计支出超过150元的，超出部分享受八折优惠。"),
            ("老年人优惠", "65周岁以上老年人凭老年人优待卡免费乘坐常规公交和地铁。"),
            ("学生优惠", "全日制中小学生凭学生卡乘坐常规公交和地铁享受五折优惠。"),
            ("残疾人优惠", "持证残疾人和伤残军人免费乘坐常规公交和地铁。"),
            ("票价公示", "运营企业应当在车站、车厢和官方渠道公示票价表和优惠政策。"),
            ("实施时间", "本方案经市人民政府批准后，于公布之日起三个月后实施。"),
        ],
    ),
    Draft(
        department="health",
        title="公共场所控制吸烟条例（草案）",
        summary="扩大室内全面禁烟的场所范围，明确室外禁烟区域和吸烟区设置要求，"
                "规定场所经营者、管理者的控烟责任和违法吸烟的处罚。",
        background="本市成人吸烟率约为22%，每年因吸烟相关疾病死亡人数过万；"
                   "现行规定只禁止部分室内场所吸烟，餐厅、网吧、写字楼等场所二手烟暴露问题较为突出。",
        goals="实现室内公共场所、室内工作场所和公共交通工具全面禁烟；减少儿童和孕妇的二手烟暴露；"
              "三年内将成人吸烟率降至20%以下。",
        tags="控烟, 公共卫生, 健康",
        contact="市卫生健康委员会健康促进处，电话 010-56789012",
        clauses=[
            ("目的", "为了减少吸烟造成的危害，保障公众身体健康，创造良好的公共环境，制定本条例。"),
            ("适用范围", "本市行政区域内公共场所的控制吸烟工作，适用本条例。"),
            ("室内禁烟", "室内公共场所、室内工作场所和公共交通工具内禁止吸烟。"),
            ("室外禁烟区域", "幼儿园、中小学校、少年宫、儿童医院、妇幼保健机构的室外区域禁止吸烟。"),
            ("电子烟", "本条例关于吸烟的规定，适用于电子烟。"),
            ("经营者责任", "禁止吸烟场所的经营者、管理者应当设置明显的禁烟标识，对吸烟者进行劝阻，劝阻无效的向监督部门投诉。"),
            ("吸烟区设置", "室外吸烟区应当远离人员密集区域和行人必经的主要通道，设置吸烟区标识和烟灰收集设施。"),
            ("投诉举报", "任何单位和个人可以通过12345热线对违法吸烟行为进行投诉举报。"),
            ("个人处罚", "在禁止吸烟场所吸烟的，由卫生健康部门责令改正，可以处五十元以上二百元以下罚款。"),
            ("单位处罚", "禁止吸烟场所的经营者、管理者未履行控烟责任的，由卫生健康部门责令改正，"
                        "可以处二千元以上一万元以下罚款。"),
        ],
        edits={
            3: "幼儿园、中小学校、少年宫、儿童医院、妇幼保健机构的室外区域，以及体育场馆、"
               "公园售票区、公交站台等排队等候区域禁止吸烟。",
            8: "在禁止吸烟场所吸烟的，由卫生健康部门责令改正，可以处五十元以上二百元以下罚款；"
               "拒不改正的，处二百元罚款。",
        },
        remove=1,
        move=(4, 2),
        insert=(9, "戒烟服务", "医疗机构应当提供戒烟咨询和戒烟门诊服务，卫生健康部门设立戒烟热线。"),
        change_note="扩大室外禁烟范围至排队等候区域；明确电子烟同等管理并前移；增设戒烟服务条款；拒不改正的个人处罚标准予以明确。",
    ),
    Draft(
        department="urban-management",
        title="城市共享单车停放管理办法",
        summary="规范共享单车的投放总量、停放区域和企业运维责任，治理乱停乱放，"
                "方便市民绿色出行的“最后一公里”。",
        background="全市共享单车日均骑行量超过120万人次，但地铁站、商圈周边高峰时段车辆堆积、"
                   "占用盲道和消防通道等问题仍较突出。",
        goals="建立投放总量动态调控机制；在轨道交通站点周边设置足够的停放区；"
              "企业对违规停放车辆在规定时限内清理。",
        tags="共享单车, 市容, 出行",
        contact="市城市管理局市容管理处，电话 010-67890123",
        clauses=[
            ("目的", "为了规范互联网租赁自行车停放秩序，维护市容环境，方便公众出行，制定本办法。"),
            ("总量调控", "市城市管理部门会同交通运输部门根据道路资源和出行需求，确定各区共享单车投放总量。"),
            ("停放区设置", "区城市管理部门应当在轨道交通站点、公交枢纽、商业中心周边划设共享单车停放区。"),
            ("电子围栏", "运营企业应当运用电子围栏等技术，引导用户在停放区内停放，对停放区外还车的用户不得结束计费。"),
            ("禁停区域", "禁止在盲道、消防通道、机动车道以及其他妨碍通行的区域停放共享单车。"),
            ("运维人员", "运营企业应当按照每千辆车不少于三名的标准配备运维人员。"),
            ("清理时限", "运营企业接到违规停放通知后，中心城区应当在三十分钟内、其他区域应当在一小时内清理。"),
            ("信用管理", "运营企业应当建立用户信用管理制度，对多次违规停放的用户采取限制使用等措施。"),
            ("数据共享", "运营企业应当将车辆投放、停放和骑行数据实时接入市级监管平台。"),
        ],
    ),
    Draft(
        department="housing",
        title="既有住宅加装电梯实施办法",
        summary="简化既有多层住宅加装电梯的业主表决、规划审批和施工流程，"
                "明确财政补贴标准和费用分摊指引，帮助老人“下楼难”问题早日解决。",
        background="全市约有四千余栋无电梯的多层住宅，居住着大量老年人，"
                   "加装电梯意愿强烈，但业主协商难、审批环节多、资金筹措难制约了推进速度。",
        goals="三年内完成加装电梯一千部以上；审批时间压缩至二十个工作日；建立低层业主补偿指引。",
        tags="加装电梯, 城市更新, 住房",
        contact="市住房和城乡建设局城市更新处，电话 010-78901234",
        clauses=[
            ("目的", "为了改善既有住宅居住条件，方便老年人等群体出行，制定本办法。"),
            ("适用范围", "本办法适用于本市行政区域内四层以上（含四层）、未设电梯的既有住宅加装电梯。"),
            ("业主表决", "加装电梯应当经本单元专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主参与表决，"
                        "并经参与表决专有部分面积四分之三以上的业主且参与表决人数四分之三以上的业主同意。"),
            ("联合审批", "区住房城乡建设部门牵头实行联合审查，自受理之日起二十个工作日内作出审查决定。"),
            ("财政补贴", "对完成加装并通过验收的电梯，市、区两级财政按照每部二十万元的标准给予补贴。"),
            ("费用分摊", "加装电梯所需资金由业主按照所在楼层等因素协商分摊，市住房城乡建设部门发布分摊参考标准。"),
            ("公积金使用", "业主可以提取本人及其配偶的住房公积金用于支付加装电梯费用。"),
            ("维护管理", "电梯投入使用后，业主应当确定使用管理人，负责电梯的日常维护保养。"),
        ],
    ),
    Draft(
        department="civil-affairs",
        title="困难群众临时救助实施办法（内部讨论稿）",
        summary="对遭遇突发事件、意外伤害或者重大疾病导致基本生活暂时出现严重困难的家庭和个人给予临时救助。",
        background="现行临时救助办法制定于2016年，救助标准和审批流程已不适应当前需要。",
        goals="实现“先行救助、事后补审”；救助金额与困难程度挂钩。",
        tags="社会救助, 民生",
        contact="市民政局社会救助处",
        clauses=[
            ("目的", "为了保障困难群众基本生活，发挥临时救助兜底作用，制定本办法。"),
            ("救助对象", "因突发事件、意外伤害、重大疾病等原因，导致基本生活暂时出现严重困难的家庭或者个人。"),
            ("先行救助", "对情况紧急的，街道办事处、乡镇人民政府可以先行救助，事后补齐审批手续。"),
            ("救助标准", "临时救助金额一般不超过当地月最低生活保障标准的六倍，特殊情况可以适当提高。"),
            ("申请渠道", "申请人可以向户籍地或者经常居住地的街道办事处、乡镇人民政府提出申请，也可以通过线上平台申请。"),
            ("公示", "临时救助结果在申请人所在社区公示，但涉及个人隐私的内容除外。"),
            ("监督", "民政部门应当加强对临时救助资金使用情况的监督检查。"),
            ("施行日期", "本办法自发布之日起施行。"),
        ],
        published=False,
    ),
]

# Who writes each department's consultations (the demo officials from consult/seed.py).
AUTHORS = {
    "civil-affairs": "official@example.org",
    "housing": "official2@example.org",
    "urban-management": "official2@example.org",
    "transport": "official3@example.org",
    "health": "official3@example.org",
}


def _official(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email).options(
        selectinload(User.roles)).execution_options(populate_existing=True))


def _version_two(draft: Draft) -> list[tuple[str, str, int | None]]:
    """(heading, body, index in version 1 or None for the new clause) in the new order."""
    rows: list[tuple[str, str, int | None]] = [
        (h, draft.edits.get(i, b), i) for i, (h, b) in enumerate(draft.clauses)]
    if draft.insert is not None:
        before, heading, body = draft.insert
        rows.insert(before, (heading, body, None))
    if draft.move is not None:
        src, dst = draft.move
        row = next(r for r in rows if r[2] == src)
        rows.remove(row)
        rows.insert(dst, row)
    if draft.remove is not None:
        rows = [r for r in rows if r[2] != draft.remove]
    return rows


def _part_of(draft: Draft, index: int) -> tuple[str, str]:
    """The chapter and section of version 1's clause ``index`` (0-based)."""
    starts = [i for i in draft.parts if i <= index]
    return draft.parts[max(starts)] if starts else ("", "")


def _explanation(draft: Draft) -> str:
    """The demo 起草说明 of a version: the draft's background and goals, as departments
    write it (necessity, the process, the main contents)."""
    return (f"一、制定的必要性\n{draft.background}\n\n"
            f"二、起草过程\n起草组在调研和座谈的基础上形成征求意见稿，并征求了有关部门意见。\n\n"
            f"三、主要内容\n{draft.goals}")


def _backdate(consultation: Consultation, version_days_ago: list[int]) -> None:
    """Date the history in the past (versions are immutable to the ORM: a plain UPDATE)."""
    at = now()
    for number, days in enumerate(version_days_ago, start=1):
        db.session.execute(update(DraftVersion).where(
            DraftVersion.consultation_id == consultation.id, DraftVersion.number == number)
            .values(published_at=at - timedelta(days=days)))
    if consultation.published_at is not None:
        db.session.execute(update(Consultation).where(Consultation.id == consultation.id)
                           .values(published_at=at - timedelta(days=version_days_ago[0]),
                                   created_at=at - timedelta(days=version_days_ago[0] + 7)))


def seed() -> None:
    existing = set(db.session.scalars(select(Consultation.title)))
    departments = {d.slug: d for d in db.session.scalars(select(Department))}
    for draft in DRAFTS:
        if draft.title in existing or draft.department not in departments:
            continue
        author = _official(AUTHORS[draft.department])
        dept = departments[draft.department]
        if author is None or dept.id not in author.official_department_ids:
            continue  # the demo official is missing: leave this one out
        _seed_one(author, dept, draft)


def _seed_one(author: User, dept: Department, draft: Draft) -> None:
    c = services.create_consultation(
        author, department_id=dept.id, title=draft.title, summary=draft.summary,
        background=draft.background, goals=draft.goals, tags=draft.tags, contact=draft.contact)
    for i, (heading, body) in enumerate(draft.clauses, start=1):
        chapter, section = _part_of(draft, i - 1)
        services.add_clause(author, c, number=article(i), heading=heading, body=body,
                            chapter=chapter, section=section)
    services.publish_version(author, c, change_note="首次公开征求意见。",
                             explanation=_explanation(draft))
    two_versions = bool(draft.edits or draft.insert or draft.remove is not None or draft.move)
    if two_versions:
        working = services.working_copy(author, c)
        by_index = {i: w for i, w in enumerate(working)}
        wanted = _version_two(draft)
        keep_ids = {by_index[i].id for _, _, i in wanted if i is not None}
        for w in working:
            if w.id not in keep_ids:
                services.delete_clause(author, c, w.id)
        new_clause = None
        if draft.insert is not None:
            _, heading, body = draft.insert
            new_clause = services.add_clause(author, c, number="新增", heading=heading, body=body)
        # Put the clauses in the wanted order (move buttons) and renumber them.
        order = [new_clause.id if index is None else by_index[index].id
                 for _, _, index in wanted]
        for position, clause_id in enumerate(order):
            current = [w.id for w in services.working_copy(author, c)]
            for _ in range(current.index(clause_id) - position):
                services.move_clause(author, c, clause_id, direction="up")
        part = ("", "")
        for position, (heading, body, index) in enumerate(wanted, start=1):
            if index is not None and (draft.move is None or index != draft.move[0]):
                part = _part_of(draft, index)
            services.update_clause(author, c, order[position - 1], number=article(position),
                                   heading=heading, body=body, chapter=part[0],
                                   section=part[1])
        services.publish_version(author, c, change_note=draft.change_note,
                                 explanation=_explanation(draft))
    if draft.published:
        services.publish_consultation(author, c)
        _backdate(c, [150, 95] if two_versions else [80])
