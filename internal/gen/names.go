package gen

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"mingbai/internal/qa"
)

// A place name with the pinyin its slug is made of.
type place struct{ name, slug string }

// streetRoots name the streets (街道) of the generated district.
var streetRoots = []place{
	{"锁金村", "suojincun"}, {"玄武门", "xuanwumen"}, {"梅园新村", "meiyuan"}, {"新街口", "xinjiekou"},
	{"孝陵卫", "xiaolingwei"}, {"红山", "hongshan"}, {"玄武湖", "xuanwuhu"}, {"兰园", "lanyuan"},
	{"湖南路", "hunanlu"}, {"宁海路", "ninghailu"}, {"华侨路", "huaqiaolu"}, {"挹江门", "yijiangmen"},
	{"中央门", "zhongyangmen"}, {"小市", "xiaoshi"}, {"燕子矶", "yanziji"}, {"迈皋桥", "maigaoqiao"},
	{"尧化", "yaohua"}, {"马群", "maqun"}, {"仙林", "xianlin"}, {"光华路", "guanghualu"},
	{"月牙湖", "yueyahu"}, {"瑞金路", "ruijinlu"}, {"朝天宫", "chaotiangong"}, {"夫子庙", "fuzimiao"},
	{"双塘", "shuangtang"}, {"中华门", "zhonghuamen"}, {"红花", "honghua"}, {"秦虹", "qinhong"},
	{"五老村", "wulaocun"}, {"洪武路", "hongwulu"}, {"大光路", "daguanglu"}, {"莫愁湖", "mochouhu"},
	{"南湖", "nanhu"}, {"兴隆", "xinglong"}, {"沙洲", "shazhou"}, {"江心洲", "jiangxinzhou"},
	{"宝塔桥", "baotaqiao"}, {"热河南路", "rehenanlu"}, {"幕府山", "mufushan"}, {"龙江", "longjiang"},
	{"草场门", "caochangmen"}, {"凤凰", "fenghuang"}, {"清凉门", "qingliangmen"}, {"江东", "jiangdong"},
	{"铁心桥", "tiexinqiao"}, {"西善桥", "xishanqiao"}, {"板桥", "banqiao"}, {"梅山", "meishan"},
	{"雨花", "yuhua"}, {"赛虹桥", "saihongqiao"}, {"宁南", "ningnan"}, {"安德门", "andemen"},
	{"东山", "dongshan"}, {"秣陵", "moling"}, {"淳化", "chunhua"}, {"汤山", "tangshan"},
	{"麒麟", "qilin"}, {"谷里", "guli"}, {"横溪", "hengxi"}, {"江宁", "jiangning"},
	{"泰山", "taishan"}, {"顶山", "dingshan"}, {"沿江", "yanjiang"}, {"盘城", "pancheng"},
	{"葛塘", "getang"}, {"长芦", "changlu"}, {"雄州", "xiongzhou"}, {"龙池", "longchi"},
	{"仙林湖", "xianlinhu"}, {"栖霞", "qixia"}, {"八卦洲", "baguazhou"}, {"西岗", "xigang"},
}

// communityRoots and communitySuffixes make community names such as
// 锁金四村社区, 樱花苑社区 or 梅园花园社区.
var communityRoots = []place{
	{"锁金", "suojin"}, {"樱铁", "yingtie"}, {"板仓", "bancang"}, {"百子亭", "baiziting"},
	{"新门口", "xinmenkou"}, {"樱花", "yinghua"}, {"紫金", "zijin"}, {"梅园", "meiyuan"},
	{"兰园", "lanyuan"}, {"丹凤", "danfeng"}, {"蓁巷", "zhenxiang"}, {"后宰门", "houzaimen"},
	{"龙蟠", "longpan"}, {"长江", "changjiang"}, {"卫岗", "weigang"}, {"岗子村", "gangzicun"},
	{"童卫路", "tongweilu"}, {"白马", "baima"}, {"钟山", "zhongshan"}, {"花园路", "huayuanlu"},
	{"仁恒", "renheng"}, {"月苑", "yueyuan"}, {"御道", "yudao"}, {"瑞金", "ruijin"},
	{"常府", "changfu"}, {"大行宫", "daxinggong"}, {"利济巷", "lijixiang"}, {"太平", "taiping"},
	{"游府西", "youfuxi"}, {"明瓦廊", "mingwalang"}, {"丰富", "fengfu"}, {"估衣廊", "guyilang"},
	{"虹苑", "hongyuan"}, {"翠竹", "cuizhu"}, {"香樟", "xiangzhang"}, {"银杏", "yinxing"},
	{"桂花", "guihua"}, {"海棠", "haitang"}, {"玉兰", "yulan"}, {"丁香", "dingxiang"},
	{"石榴", "shiliu"}, {"芙蓉", "furong"}, {"清水", "qingshui"}, {"南湖", "nanhu"},
	{"春江", "chunjiang"}, {"秋水", "qiushui"}, {"沁园", "qinyuan"}, {"新城", "xincheng"},
	{"金陵", "jinling"}, {"石城", "shicheng"}, {"白鹭", "bailu"}, {"凤栖", "fengqi"},
	{"康乐", "kangle"}, {"安居", "anju"}, {"福润", "furun"}, {"和平", "heping"},
	{"建宁", "jianning"}, {"宝善", "baoshan"}, {"东井", "dongjing"}, {"西华", "xihua"},
	{"北园", "beiyuan"}, {"南苑", "nanyuan"}, {"长乐", "changle"}, {"永丰", "yongfeng"},
}

var communitySuffixes = []place{
	{"村", "cun"}, {"新村", "xincun"}, {"苑", "yuan"}, {"花园", "huayuan"}, {"家园", "jiayuan"},
	{"里", "li"}, {"小区", "xiaoqu"}, {"一村", "1cun"}, {"二村", "2cun"}, {"三村", "3cun"}, {"四村", "4cun"},
	{"五村", "5cun"}, {"东村", "dongcun"}, {"西村", "xicun"}, {"南苑", "nanyuan"}, {"北苑", "beiyuan"},
}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")

var givenChars = []rune("秀英建国华明玉珍志刚淑芬海燕桂兰德凤立群丽红军平伟芳敏静强磊洋勇艳杰娟涛超霞刚琴云峰兵宁萍晓慧文辉新春梅林波斌宇浩凯欣怡晨阳")

// personName draws a realistic Chinese name (surname and one or two
// characters).
func personName(r *rand.Rand) string {
	n := []rune{surnames[r.IntN(len(surnames))]}
	for range 1 + r.IntN(2) {
		n = append(n, givenChars[r.IntN(len(givenChars))])
	}
	return string(n)
}

func surname(r *rand.Rand) string { return string(surnames[r.IntN(len(surnames))]) }

// masked is a name as relief lists show it: 王*英.
func masked(name string) string {
	rs := []rune(name)
	if len(rs) < 2 {
		return name
	}
	return string(rs[0]) + "*" + string(rs[len(rs)-1])
}

func quarterLabel(year, q int) string {
	return fmt.Sprintf("%d年第%s季度", year, []string{"一", "二", "三", "四"}[q])
}

// activities are the notices (服务项目) a community board is full of.
var activities = []struct{ title, body string }{
	{"义诊活动通知", "社区卫生服务中心将于%s上午在社区广场举办义诊，测量血压、血糖，提供用药咨询。请携带医保卡。"},
	{"免费理发活动", "%s上午九点，志愿者在社区活动室为60岁以上老人免费理发，请提前到居委会登记。"},
	{"防范电信网络诈骗讲座", "%s下午两点半，派出所民警来社区讲解电信网络诈骗的常见手法，欢迎居民参加。"},
	{"垃圾分类宣传活动", "%s在小区东门开展垃圾分类宣传，发放分类垃圾袋，现场答题有小礼品。"},
	{"消防安全演练通知", "%s上午十点进行消防疏散演练，届时请听从楼长指挥，电动车不得在楼道充电。"},
	{"电动车集中充电棚启用", "小区北侧电动车集中充电棚自%s起启用，扫码充电，每小时0.5元，严禁飞线充电。"},
	{"老年大学报名", "社区老年大学书法、太极、合唱班%s开始报名，名额有限，先到先得。"},
	{"四点半课堂开课", "%s起，四点半课堂在社区活动室开课，大学生志愿者辅导作业，免费参加。"},
	{"无偿献血活动", "%s献血车停靠社区服务中心门口，18至55周岁健康居民可参加。"},
	{"疫苗接种安排", "%s社区卫生服务中心为65岁以上老人接种流感疫苗，请携带身份证。"},
	{"文艺汇演节目征集", "社区将于%s举办邻里文艺汇演，现征集节目，请到居委会报名。"},
	{"停水通知", "因管网维修，%s上午8时至下午4时小区停水，请提前储水。"},
	{"停电检修通知", "供电公司将于%s进行线路检修，届时部分楼栋停电，请相互转告。"},
	{"防汛准备提示", "进入汛期，%s起请住户检查阳台排水，地下车库车辆注意转移。"},
	{"高空抛物专项整治", "%s起开展高空抛物专项整治，发现抛物行为请拨打居委会电话。"},
	{"独居老人走访", "%s起网格员逐户走访独居老人，检查燃气、用电安全。"},
	{"法律咨询进社区", "%s下午律师在社区服务中心提供免费法律咨询，涉及婚姻家庭、劳动纠纷、物业纠纷。"},
	{"读书分享会", "%s晚上七点社区书屋举办读书分享会，欢迎带上喜欢的书。"},
	{"重阳节敬老活动", "%s在社区活动室为辖区老人举办重阳节敬老活动，包饺子、看演出。"},
	{"夏季纳凉晚会", "%s晚上七点半在小区中心广场举办纳凉晚会，欢迎居民参加。"},
	{"二手物品交换集市", "%s上午在小区广场举办二手物品交换集市，闲置物品以物易物。"},
	{"楼道清理行动", "%s开展楼道堆物清理，请住户自行清理楼道杂物，逾期将统一清运。"},
}

var meetingTopics = []struct{ title, body string }{
	{"关于%d幢加装电梯意见征集结果", "到会户代表%d户，同意%d户，同意户数超过三分之二，决定启动%d幢加装电梯申报。"},
	{"关于小区停车收费标准的决定", "到会代表%d人（应到%d人），表决同意%d票，决定地面停车每月收费%d元。"},
	{"关于公共收益使用方案的决定", "到会代表%d人（应到%d人），同意%d票，公共收益%d元用于更换小区路灯。"},
	{"关于选举居务监督委员会成员的决定", "到会代表%d人（应到%d人），选举产生居务监督委员会成员，得票%d票，会计人员%d名。"},
	{"关于修订居民公约的决定", "到会代表%d人（应到%d人），同意%d票，修订后的居民公约共%d条。"},
	{"关于老旧小区改造方案的决定", "到会代表%d人（应到%d人），同意%d票，改造涉及%d幢楼。"},
}

var serviceGuides = []string{"最低生活保障申请", "临时救助申请", "居住证办理", "老年人优待证办理", "残疾人证申领", "灵活就业登记",
	"城乡居民医保参保", "生育登记", "个体工商户登记", "高龄津贴申领", "独生子女父母奖励", "失业登记"}

// questionTopics are the demo's topics and two more.
var questionTopics = append(slices.Clone(qa.DemoTopics), []qa.DemoTopic{
	{Category: "噪音扰民", Body: "%d幢旁边的广场舞音乐太响，晚上九点以后还在跳。", Reply: "已与广场舞队约定晚上八点半结束，音量调低，%d幢附近不放音箱。"},
	{Category: "绿化养护", Body: "%d幢前的树枝挡住了二楼窗户，采光不好。", Reply: "已联系园林所修剪%d幢前树木。"},
}...)
