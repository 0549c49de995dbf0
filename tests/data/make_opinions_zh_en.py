"""Writes opinions_zh_en.json: a small hand-written corpus with planted structure.

Run: python tests/data/make_opinions_zh_en.py. Planted: four topics (parking, elderly
care, fees, accessibility) in Chinese and English; a campaign of one text with small
edits posted by 15 accounts; two opinion groups (users g1-* support the "A" comments,
users g2-* the "B" comments, both the consensus comments) and their ballot stances.
"""

import json
import os

TOPICS = {
    "parking": [
        "小区停车位严重不足，晚上回家找不到车位，建议利用边角空地增设停车位。",
        "老旧小区的停车场应该对居民开放错时停车，缓解停车难。",
        "希望在停车场里多建一些充电桩，新能源车充电排队太久。",
        "停车费每月三百元太贵，停车位应该优先租给本小区业主。",
        "建议学校和商场的停车场晚上开放共享车位给周边居民停车。",
        "路边停车位画线太少，车辆乱停占用消防通道，停车管理要加强。",
        "新建小区的车位配比要提高，停车位不能只卖不租。",
        "充电桩安装要物业配合，很多车位申请充电桩被拒绝。",
        "医院门口停车难，建议增加临时停车位和停车引导。",
        "停车位划分要公平，不能让外来车辆长期占用小区车位。",
        "希望公布停车场的空余车位信息，方便居民找车位停车。",
        "地下停车场车位空置很多，租金降低一些居民才会去停车。",
        "Parking spaces in old neighbourhoods are far too few, please add parking near the blocks.",
        "Open school parking lots to residents at night so cars stop blocking fire lanes.",
        "More charging points for electric cars in every parking garage, the queues are long.",
        "Parking fees for residents should be capped and parking spaces rented before sold.",
    ],
    "elderly": [
        "社区养老服务要覆盖独居老人，日间照料中心的床位不够。",
        "建议每个街道建一个老年食堂和助餐点，方便老年人吃饭。",
        "护理员工资太低留不住人，养老机构护理员缺口很大。",
        "居家养老要有上门护理服务，失能老人家属照顾压力太大。",
        "日间照料中心应该延长开放时间，老年人下午没有地方活动。",
        "养老机构的护理质量要定期检查，老年人的安全要放在第一位。",
        "社区养老服务站要配备专业护理员和康复设备。",
        "希望老年食堂的饭菜适合老年人口味，助餐点增加送餐上门。",
        "失能老人的长期护理要纳入养老服务体系，减轻家庭负担。",
        "日间照料中心要开设老年大学课程，丰富老年人精神生活。",
        "养老服务信息要公开，老年人和子女能查到附近的养老机构。",
        "独居老人需要定期上门探访，社区养老服务要有人负责。",
        "Elderly care centres need more nursing staff and longer opening hours for seniors.",
        "Home care visits for disabled elderly people should be part of community elderly care.",
        "Seniors living alone need regular home visits and a community canteen for meals.",
        "Nursing staff in elderly care homes are underpaid, raise wages to keep carers.",
    ],
    "fees": [
        "收费标准要公示，养老服务收费不能随意上涨。",
        "政府补贴应该直接发给低收入老人，收费标准按收入分档。",
        "服务收费项目太多太杂，建议统一收费标准并提前公示。",
        "运营补贴要和服务质量挂钩，不能只按床位数发放补贴。",
        "低保家庭的收费应该减免，政府补贴要覆盖困难群众。",
        "收费标准调整前要举行听证会，听取居民意见。",
        "补贴申请流程太复杂，材料太多，希望简化补贴审批。",
        "收费价格要和周边城市比较，目前的收费标准偏高。",
        "政府补贴资金的使用情况要定期公示，接受群众监督。",
        "收费明细要给到每一户，物业服务收费也要公开透明。",
        "Fees should be published in advance and not raised without a public hearing.",
        "Subsidies must go directly to low-income families, with fees set by income band.",
        "The subsidy application needs too many documents, please simplify the subsidy process.",
        "Publish how subsidy money is spent every year so residents can check the fees.",
    ],
    "access": [
        "老旧小区加装电梯要加快审批，老年人上下楼太困难。",
        "无障碍设施经常被占用，坡道上停满电动车，轮椅过不去。",
        "适老化改造要包括卫生间扶手和防滑地面，无障碍设施要到位。",
        "加装电梯的费用分摊要有统一标准，低楼层住户意见很大。",
        "公交站和人行道的无障碍坡道太陡，轮椅使用者很危险。",
        "社区服务中心要有无障碍通道和无障碍卫生间。",
        "适老化改造补贴要覆盖家庭住宅，加装扶手和坡道。",
        "加装电梯施工期间要保障居民出行，电梯维护责任要明确。",
        "盲道经常被占用和损坏，无障碍设施要定期检查维修。",
        "Wheelchair ramps are blocked by scooters, accessibility facilities need enforcement.",
        "Install lifts in old walk-up buildings faster, elderly residents cannot climb stairs.",
        "Accessible toilets and ramps should be required in every community service centre.",
    ],
}

CAMPAIGN = [
    "坚决反对在小区绿地上改建停车场，请尊重全体业主的意见，保留绿地！",
    "坚决反对在小区绿地上改建停车场，请尊重全体业主的意见，保留绿地!!",
    "坚决反对在小区绿地上改建停车场，请尊重全体业主意见，保留绿地！",
    "坚决反对在小区的绿地上改建停车场，请尊重全体业主的意见，保留绿地！",
    "坚决反对 在小区绿地上改建停车场，请尊重全体业主的意见，保留绿地。",
    "坚决反对在小区绿地上改建停车场！请尊重全体业主的意见，保留绿地！",
    "坚决反对在小区绿地上改建停车场，请尊重全体业主的意见，保留绿地！！！",
    "我们坚决反对在小区绿地上改建停车场，请尊重全体业主的意见，保留绿地！",
    "坚决反对在小区绿地上改建停车场，请尊重全体业主的意见，一定保留绿地！",
    "坚决反对在小区绿地上改建停车场，请尊重全体业主的意见，保留绿地",
    "坚决反对在小区绿地上改建停车场,请尊重全体业主的意见,保留绿地!",
    "坚决反对在小区绿地上改建停车场，请尊重全体业主的意见，保留绿地！谢谢",
    "坚决反对在小区绿地上改建停车场，恳请尊重全体业主的意见，保留绿地！",
    "坚决反对在小区绿地上改建停车场，请尊重全体业主的意见，保留小区绿地！",
    "坚决反对在小区绿地上改建停车场，请务必尊重全体业主的意见，保留绿地！",
]

# Opinion groups: "A" comments (for more parking), "B" comments (for keeping green space
# and elderly care first), consensus comments both groups support.
GROUP_A = ["parking:0", "parking:1", "parking:4", "parking:6", "parking:10", "fees:5"]
GROUP_B = ["elderly:0", "elderly:3", "access:1", "access:2", "fees:0", "elderly:8"]
CONSENSUS = ["fees:2", "access:0"]


def main() -> None:
    opinions = []
    clause_of = {"parking": 1, "elderly": 2, "fees": 3, "access": 4}
    for topic, texts in TOPICS.items():
        for i, body in enumerate(texts):
            kind = "question" if topic == "fees" and i in (6, 12) else "comment"
            opinions.append({"key": f"{topic}:{i}", "topic": topic, "kind": kind,
                             "clause": clause_of[topic] if kind == "comment" else None,
                             "author": f"writer-{topic}-{i}", "body": body})
    campaign = []
    for i, body in enumerate(CAMPAIGN):
        key = f"campaign:{i}"
        campaign.append(key)
        opinions.append({"key": key, "topic": "campaign", "kind": "comment", "clause": 1,
                         "author": f"campaign-{i}", "body": body})
    questions = {o["key"] for o in opinions if o["kind"] == "question"}
    assert not questions & set(GROUP_A + GROUP_B + CONSENSUS), "supports are for comments"
    supports, ballots = [], []
    for g, own, stance in (("g1", GROUP_A, "support"), ("g2", GROUP_B, "oppose")):
        for u in range(20):
            user = f"{g}-{u}"
            # Each member supports most of the group's comments (a deterministic gap
            # per user, so rows differ) and one or both consensus comments.
            for j, key in enumerate(own):
                if (u + j) % 6 != 0:
                    supports.append({"user": user, "opinion": key})
            for j, key in enumerate(CONSENSUS):
                if (u + j) % 5 != 0:
                    supports.append({"user": user, "opinion": key})
            ballots.append({"user": user, "stance": stance if u % 7 else "support_with_changes"})
    data = {
        "about": __doc__.strip().splitlines()[0],
        "opinions": opinions,
        "campaign": campaign,
        "groups": {"g1": [f"g1-{u}" for u in range(20)], "g2": [f"g2-{u}" for u in range(20)]},
        "group_comments": {"g1": GROUP_A, "g2": GROUP_B},
        "consensus": CONSENSUS,
        "supports": supports,
        "ballots": ballots,
        "planted_terms": ["停车位", "养老服务", "收费标准", "无障碍设施", "parking"],
    }
    path = os.path.join(os.path.dirname(__file__), "opinions_zh_en.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
